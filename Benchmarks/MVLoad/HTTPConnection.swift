import Glibc

/// One blocking HTTP/1.1 keep-alive connection: writes a request, reads its response (`Content-Length` or chunked
/// body) and answers the status code. Owned by one thread.
final class HTTPConnection {
    /// Why an exchange failed; the caller counts the request as failed and connects again.
    enum Failure: Error {
        case resolve, connect, closed, malformed
        case system(Int32)
    }

    private let socket: Int32
    /// Bytes read and not yet consumed.
    private var received: [UInt8] = []
    /// What each read fills, allocated once per connection.
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// Whether the server keeps the connection open after the last response (`connection: close` says not).
    private(set) var keepAlive = true

    init(_ endpoint: Endpoint) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var addresses: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &addresses) == 0 else { throw Failure.resolve }
        defer { freeaddrinfo(addresses) }
        var candidate = addresses
        while let address = candidate?.pointee {
            let fd = Glibc.socket(address.ai_family, address.ai_socktype, address.ai_protocol)
            if fd >= 0, connect(fd, address.ai_addr, address.ai_addrlen) == 0 {
                var on: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                socket = fd
                return
            }
            if fd >= 0 { close(fd) }
            candidate = address.ai_next
        }
        throw Failure.connect
    }

    deinit { close(socket) }

    /// Sends `request` and reads the whole response; the status code.
    func exchange(_ request: [UInt8]) throws -> Int {
        try send(request)
        return try receiveResponse()
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(socket, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure.system(errno)
            }
            offset += written
        }
    }

    private func receiveResponse() throws -> Int {
        var headEnd = try awaitSequence([13, 10, 13, 10], from: 0)
        let head = String(decoding: received[..<headEnd], as: UTF8.self)
        headEnd += 4
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."), let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw Failure.malformed }
        var length = 0
        var chunked = false
        keepAlive = !statusLine.hasPrefix("HTTP/1.0")
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingPrefix(" ").lowercased()
            switch name {
            case "content-length": length = Int(value) ?? 0
            case "transfer-encoding": chunked = value.contains("chunked")
            case "connection": keepAlive = !value.contains("close")
            default: break
            }
        }
        received.removeFirst(headEnd)
        if chunked { try skipChunkedBody() } else { try skip(length) }
        return status
    }

    /// Skips a chunked body: chunks until the empty one, then the trailer up to its blank line.
    private func skipChunkedBody() throws {
        while true {
            let lineEnd = try awaitSequence([13, 10], from: 0)
            let sizeText = String(decoding: received[..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText.trimmingPrefix(" "), radix: 16) else { throw Failure.malformed }
            received.removeFirst(lineEnd + 2)
            if size == 0 { break }
            try skip(size + 2)
        }
        while true {
            let lineEnd = try awaitSequence([13, 10], from: 0)
            received.removeFirst(lineEnd + 2)
            if lineEnd == 0 { return }
        }
    }

    /// Drops the next `count` bytes, reading until they arrived.
    private func skip(_ count: Int) throws {
        while received.count < count { try fill() }
        received.removeFirst(count)
    }

    /// The offset of `sequence` in the received bytes at or after `start`, reading until it arrives.
    private func awaitSequence(_ sequence: [UInt8], from start: Int) throws -> Int {
        var searched = start
        while true {
            if received.count >= sequence.count {
                var index = searched
                while index + sequence.count <= received.count {
                    if received[index] == sequence[0], received[index..<index + sequence.count].elementsEqual(sequence) { return index }
                    index += 1
                }
                searched = max(start, received.count - sequence.count + 1)
            }
            try fill()
        }
    }

    /// Reads what the socket has (blocking until something arrives).
    private func fill() throws {
        while true {
            let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if count > 0 {
                received.append(contentsOf: chunk[..<count])
                return
            }
            if count == 0 { throw Failure.closed }
            if errno != EINTR { throw Failure.system(errno) }
        }
    }
}
