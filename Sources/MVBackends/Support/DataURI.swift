import Foundation

/// `data:[<mediatype>][;base64],<data>` URIs (Replicate sync outputs, our inline reference images).
enum DataURI {
    static func decode(_ uri: String) -> (mimeType: String, data: Data)? {
        guard uri.hasPrefix("data:"), let comma = uri.firstIndex(of: ",") else { return nil }
        let meta = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma]
        let payload = uri[uri.index(after: comma)...]
        let parts = meta.split(separator: ";")
        let mime = parts.first.map(String.init) ?? "application/octet-stream"
        if parts.contains("base64") {
            guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters) else { return nil }
            return (mime, data)
        }
        guard let text = String(payload).removingPercentEncoding else { return nil }
        return (mime, Data(text.utf8))
    }

    static func encode(_ data: Data, mimeType: String) -> String {
        "data:\(mimeType);base64,\(data.base64EncodedString())"
    }
}
