import Logging
import Synchronization
import Testing
@testable import MVService

/// The service's log handler writes the lines `StreamLogHandler` writes with the same metadata set on it (the
/// handler's, a line's own winning), and nothing below its level.
struct DeferredMetadataLogHandlerTests {
    /// Lines written to it, kept.
    final class Lines: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        /// Each line without its timestamp (the first field), which differs between two handlers.
        var untimed: [String] {
            text.withLock { $0 }.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        }
    }

    @Test func linesMatchStreamLogHandlerWithTheSameMetadata() {
        let deferred = Lines(), stream = Lines()
        var loggers = [
            Logger(label: "mvservice") { DeferredMetadataLogHandler(label: $0, output: deferred) },
            Logger(label: "mvservice") { StreamLogHandler(label: $0, stream: stream) },
        ]
        for index in loggers.indices {
            loggers[index].logLevel = .info
            loggers[index][metadataKey: "hb.request.id"] = "7"
            var metadata = loggers[index].handler.metadata
            metadata["user"] = "u-1"
            metadata["team"] = "t-1"
            loggers[index].handler.metadata = metadata
            loggers[index].info("admitted", metadata: ["job": "j-1", "team": "t-2"])
            loggers[index].debug("not written")
            loggers[index][metadataKey: "user"] = nil
            loggers[index].warning("plain")
        }
        #expect(deferred.untimed.count == 2)
        #expect(deferred.untimed == stream.untimed)
        #expect(deferred.untimed.first?.contains("team=t-2") == true, "a line's own metadata wins")
        #expect(deferred.untimed.first?.contains("user=u-1") == true)
        #expect(deferred.untimed.last?.contains("user") == false, "a removed key is gone")
    }
}
