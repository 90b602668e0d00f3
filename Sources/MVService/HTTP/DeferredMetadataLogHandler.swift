import Logging

/// The service's log handler: `StreamLogHandler`'s lines on standard error, with the handler's metadata rendered when
/// a line is written, not when the metadata changes. `StreamLogHandler` renders its whole metadata on every change, and
/// every request changes it twice (Hummingbird's request id, then the caller's user and team) although at the usual
/// levels almost none of them writes a line.
struct DeferredMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    /// A handler writing to standard error.
    init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    /// A handler writing to `output` (tests read the lines back).
    init(label: String, output: any TextOutputStream & Sendable) {
        stream = StreamLogHandler(label: label, stream: output)
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        stream.log(event: event)
    }
}

extension Logger {
    /// The service's logger at `level` (``DeferredMetadataLogHandler``).
    static func service(level: Logger.Level) -> Logger {
        var logger = Logger(label: "mvservice") { DeferredMetadataLogHandler(label: $0) }
        logger.logLevel = level
        return logger
    }
}
