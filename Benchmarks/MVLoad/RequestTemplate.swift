/// The bytes of request `i`: path `i mod paths`, token `i mod tokens`, and the Idempotency-Key `<prefix>-<i>`.
struct RequestTemplate: Sendable {
    var method: String
    var host: String
    var paths: [String]
    var tokens: [String]
    var body: String?
    var idempotencyPrefix: String?

    /// The whole HTTP/1.1 request, written to the socket in one call.
    func bytes(for index: Int) -> [UInt8] {
        var text = "\(method) \(paths[index % paths.count]) HTTP/1.1\r\nhost: \(host)\r\n"
        if !tokens.isEmpty { text += "authorization: Bearer \(tokens[index % tokens.count])\r\n" }
        if let idempotencyPrefix { text += "idempotency-key: \(idempotencyPrefix)-\(index)\r\n" }
        if let body {
            text += "content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n" + body
        } else {
            text += "\r\n"
        }
        return Array(text.utf8)
    }
}
