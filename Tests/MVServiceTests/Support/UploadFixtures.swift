import Foundation
import HTTPTypes
import MVCore
import NIOCore
import PostgresNIO
@testable import MVService

/// Real media made by ffmpeg for the upload tests (lavfi sources: no files in the repo), and request helpers.
enum UploadFixtures {
    /// A file of `format` made by ffmpeg: a 64×48 red picture, or a one-second 440 Hz sine.
    static func make(_ format: UploadFormat, seconds: Double = 1) async throws -> [UInt8] {
        let folder = NSTemporaryDirectory() + "mv-upload-fixtures"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/\(UUID().uuidString).\(format.rawValue)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let picture = ["-f", "lavfi", "-i", "color=c=red:s=64x48:d=1", "-frames:v", "1"]
        let sine = ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)"]
        let arguments: [String] = switch format {
        case .png: picture + ["-f", "image2", "-c:v", "png"]
        case .jpeg: picture + ["-f", "image2", "-c:v", "mjpeg"]
        case .webp: picture + ["-f", "webp"]
        case .mp3: sine + ["-f", "mp3"]
        case .wav: sine + ["-f", "wav"]
        case .m4a: sine + ["-c:a", "aac", "-f", "ipod"]
        case .ogg: sine + ["-c:a", "libvorbis", "-f", "ogg"]
        }
        let output = try await ProcessRunner.run("ffmpeg", ["-nostdin", "-y", "-v", "error"] + arguments + [path], timeout: .seconds(60))
        guard output.exitCode == 0, let data = FileManager.default.contents(atPath: path) else {
            throw TestFailure("ffmpeg could not make a \(format) fixture: \(output.stderr)")
        }
        return Array(data)
    }

    /// A `multipart/form-data` body with `fields` and the file in part `name` (default `file`).
    static func multipart(
        _ bytes: [UInt8], name: String = "file", filename: String? = "upload.bin", fields: [String: String] = [:],
        boundary: String = "mv-boundary-7d3f"
    ) -> (body: ByteBuffer, contentType: String) {
        var body = ByteBuffer()
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"\r\n\r\n\(value)\r\n")
        }
        let file = filename.map { "; filename=\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" } ?? ""
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(file)\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// A PNG whose IHDR declares `width`×`height` (CRC recomputed, so the header is well-formed), pixels from `png`.
    static func pngDeclaring(width: UInt32, height: UInt32, from png: [UInt8]) -> [UInt8] {
        var bytes = png
        for (index, byte) in (withUnsafeBytes(of: width.bigEndian, Array.init) + withUnsafeBytes(of: height.bigEndian, Array.init)).enumerated() {
            bytes[16 + index] = byte
        }
        let crc = crc32(Array(bytes[12..<29]))
        for (index, byte) in withUnsafeBytes(of: crc.bigEndian, Array.init).enumerated() { bytes[29 + index] = byte }
        return bytes
    }

    /// CRC-32 (IEEE), as PNG chunks carry it.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

extension TestClient {
    /// `POST /api/mv/uploads` with a raw body declared as `contentType`.
    func upload(_ bytes: [UInt8], token: String?, contentType: String = "application/octet-stream", headers: [String: String] = [:]) async throws -> Reply {
        try await request(
            .post, "/api/mv/uploads", token: token, headers: headers.merging(["Content-Type": contentType]) { first, _ in first },
            rawBody: ByteBuffer(bytes: bytes))
    }

    /// `POST /api/mv/uploads` with the bytes in the multipart part `file`.
    func uploadMultipart(_ bytes: [UInt8], token: String?, filename: String? = "upload.bin", fields: [String: String] = [:]) async throws -> Reply {
        let (body, contentType) = UploadFixtures.multipart(bytes, filename: filename, fields: fields)
        return try await request(.post, "/api/mv/uploads", token: token, headers: ["Content-Type": contentType], rawBody: body)
    }
}

extension TestContext {
    /// Upload rows, blob rows, and files under the media store's `tmp` and `blobs` folders: all zero after a refusal.
    func uploadFootprint() async throws -> (uploads: Int, blobs: Int, temporaryFiles: Int, blobFiles: Int) {
        let uploads = try await countRows("SELECT count(*)::int FROM assets WHERE kind = 'upload'")
        let blobs = try await countRows("SELECT count(*)::int FROM blobs")
        let media = config.dataDirectory + "/media"
        let temporary = (try? FileManager.default.contentsOfDirectory(atPath: media + "/tmp"))?.count ?? 0
        let blobFiles = FileManager.default.enumerator(atPath: media + "/blobs")?.allObjects.compactMap { $0 as? String }
            .filter { $0.split(separator: "/").last?.count == 64 }.count ?? 0
        return (uploads, blobs, temporary, blobFiles)
    }
}
