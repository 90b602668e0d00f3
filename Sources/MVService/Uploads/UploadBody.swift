import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import NIOFileSystem

/// Streams an upload's request body into a file, chunk by chunk, never holding the body in memory: a raw body as it
/// comes, or the `file` part of a `multipart/form-data` body through multipart-kit's ``MultipartParser`` (fed each
/// chunk as it arrives; its callbacks hand over the part's bytes, which are written before the next chunk is read).
/// The size cap is enforced while streaming: the chunk that passes it stops the read (413), before it is written.
struct UploadBody: Sendable {
    /// How the body carries the file.
    enum Encoding: Sendable, Equatable {
        /// The body is the file.
        case raw
        /// `multipart/form-data` with this boundary; the file is the part named `file`.
        case multipart(boundary: String)
    }

    /// What was written.
    struct Written: Sendable, Equatable {
        /// Bytes of the file.
        var size: Int64
        /// The `filename` of the multipart part, if it named one.
        var filename: String?
    }

    /// Largest file, in bytes (`limits.max_upload_bytes`).
    let limit: Int64

    /// Bytes a multipart body may carry besides the file (boundaries, part headers, small fields).
    static let multipartOverhead: Int64 = 64 * 1024

    /// The encoding `Content-Type` announces: `multipart/form-data` needs a boundary of 1...70 characters; anything
    /// else is a raw body (whatever type it declares: the bytes decide).
    static func encoding(contentType: String?) throws(UploadError) -> Encoding {
        guard let contentType, let media = contentType.split(separator: ";").first,
            media.trimmingCharacters(in: .whitespaces).lowercased() == "multipart/form-data"
        else { return .raw }
        let parameters = HeaderParameters(contentType)
        guard let boundary = parameters["boundary"], (1...70).contains(boundary.utf8.count) else {
            throw .malformedMultipart("multipart/form-data needs a boundary parameter of 1 to 70 characters.")
        }
        return .multipart(boundary: boundary)
    }

    /// Writes the file carried by `body` to `path` (created; the caller removes it on any failure).
    /// - Throws: ``UploadError/tooLarge(limit:)`` past the limit, ``UploadError/empty``,
    ///   ``UploadError/malformedMultipart(_:)``, ``UploadError/missingFilePart``, or a file-system error.
    func write(_ body: RequestBody, encoding: Encoding, to path: String) async throws -> Written {
        try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: false)) { file in
            var writer = file.bufferedWriter()
            let written: Written
            switch encoding {
            case .raw:
                var size: Int64 = 0
                for try await chunk in body {
                    size += Int64(chunk.readableBytes)
                    guard size <= limit else { throw UploadError.tooLarge(limit: limit) }
                    try await writer.write(contentsOf: chunk)
                }
                written = Written(size: size, filename: nil)
            case .multipart(let boundary):
                let part = FilePart(boundary: boundary, limit: limit)
                var received: Int64 = 0
                for try await chunk in body {
                    received += Int64(chunk.readableBytes)
                    guard received <= limit + Self.multipartOverhead else { throw UploadError.tooLarge(limit: limit) }
                    let bytes = try part.feed(chunk)
                    if bytes.readableBytes > 0 { try await writer.write(contentsOf: bytes) }
                }
                written = Written(size: try part.finish(), filename: part.filename)
            }
            try await writer.flush()
            guard written.size > 0 else { throw UploadError.empty }
            return written
        }
    }

    /// The `file` part of one multipart body: collects, per fed chunk, the bytes the parser hands over for that part.
    /// Lives inside one ``write(_:encoding:to:)`` call only (the parser is a class with callbacks).
    private final class FilePart {
        private let parser: MultipartParser
        private let limit: Int64
        private var headers: [(String, String)] = []
        private var inFile = false
        private var complete = false
        private var pending = ByteBuffer()
        private var problem: UploadError?
        private(set) var size: Int64 = 0
        private(set) var filename: String?

        init(boundary: String, limit: Int64) {
            self.parser = MultipartParser(boundary: boundary)
            self.limit = limit
            parser.onHeader = { [unowned self] name, value in self.headers.append((name, value)) }
            parser.onBody = { [unowned self] bytes in self.body(&bytes) }
            parser.onPartComplete = { [unowned self] in
                // An empty `file` part never reached ``body(_:)``: it still counts (and is refused as empty).
                if self.inFile || (self.problem == nil && !self.complete && self.isFilePart) { self.complete = true }
                self.inFile = false
                self.headers = []
            }
        }

        /// Feeds one chunk of the body; returns the file bytes it completed (possibly none).
        func feed(_ chunk: ByteBuffer) throws(UploadError) -> ByteBuffer {
            do {
                try parser.execute(chunk)
            } catch {
                throw .malformedMultipart("The multipart/form-data body is malformed.")
            }
            if let problem { throw problem }
            defer { pending = ByteBuffer() }
            return pending
        }

        /// After the last chunk: the file's size, or why the body held no complete `file` part.
        func finish() throws(UploadError) -> Int64 {
            if let problem { throw problem }
            guard complete else {
                if size > 0 || inFile { throw UploadError.malformedMultipart("The multipart/form-data body ends inside the file part.") }
                throw UploadError.missingFilePart
            }
            return size
        }

        /// The `Content-Disposition` parameters of the current part, once its headers are read.
        private var disposition: HeaderParameters? {
            headers.last(where: { $0.0.lowercased() == "content-disposition" }).map { HeaderParameters($0.1) }
        }

        private var isFilePart: Bool { disposition?["name"] == "file" }

        private func body(_ bytes: inout ByteBuffer) {
            guard problem == nil else { return }
            if !inFile {
                // The first bytes of a part: its headers are complete.
                guard let parameters = disposition, parameters["name"] == "file" else { return }
                guard !complete else {
                    problem = .malformedMultipart("Send one part named file, not several.")
                    return
                }
                inFile = true
                filename = parameters["filename"]
            }
            size += Int64(bytes.readableBytes)
            guard size <= limit else {
                problem = .tooLarge(limit: limit)
                return
            }
            pending.writeBuffer(&bytes)
        }
    }
}

/// The `; name=value` parameters of a header such as `Content-Type` or `Content-Disposition` (names lowercased,
/// quoted values unquoted with `\` escapes).
struct HeaderParameters {
    private var values: [String: String] = [:]

    init(_ header: String) {
        var scalars = Substring(header).unicodeScalars[...]
        // Skip the leading value (`form-data`, `multipart/form-data`).
        while let first = scalars.first, first != ";" { scalars.removeFirst() }
        while !scalars.isEmpty {
            scalars.removeFirst()  // ";"
            while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
            var name = ""
            while let first = scalars.first, first != "=", first != ";" {
                name.unicodeScalars.append(first)
                scalars.removeFirst()
            }
            var value = ""
            if scalars.first == "=" {
                scalars.removeFirst()
                if scalars.first == "\"" {
                    scalars.removeFirst()
                    while let first = scalars.first, first != "\"" {
                        scalars.removeFirst()
                        if first == "\\", let escaped = scalars.first {
                            value.unicodeScalars.append(escaped)
                            scalars.removeFirst()
                        } else {
                            value.unicodeScalars.append(first)
                        }
                    }
                    if !scalars.isEmpty { scalars.removeFirst() }
                }
                while let first = scalars.first, first != ";" {
                    value.unicodeScalars.append(first)
                    scalars.removeFirst()
                }
            }
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
            if !key.isEmpty, values[key] == nil { values[key] = value.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The value of parameter `name` (lowercase), if present.
    subscript(_ name: String) -> String? { values[name] }
}
