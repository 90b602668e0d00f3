import Foundation

/// Checks that a downloaded file really is a complete MP4 / PNG / JPEG, so a truncated or foreign
/// body is never taken as success.
///
/// MP4: top-level boxes must start with `ftyp` (bytes 4..<8), chain exactly to the end of the file,
/// and include `moov`. PNG: signature and a final `IEND` chunk. JPEG: starts `FFD8`, ends `FFD9`.
enum MediaValidator {
    enum Validity: Equatable {
        /// Valid, with its content type.
        case valid(String)
        /// Invalid, with the reason.
        case invalid(String)
    }

    /// Returns the content type of a valid file, or a reason it is not valid.
    static func validate(path: String, kind: MediaKind) -> Validity {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .invalid("cannot open downloaded file") }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return .invalid("empty file") }
        try? handle.seek(toOffset: 0)
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        switch kind {
        case .video:
            return validateMP4(handle: handle, size: size, head: head)
        case .image:
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            if head.count >= 8 && Array(head.prefix(8)) == png {
                try? handle.seek(toOffset: size >= 12 ? size - 12 : 0)
                let tail = (try? handle.readToEnd()) ?? Data()
                guard tail.count == 12, Array(tail[tail.startIndex + 4..<tail.startIndex + 8]) == Array("IEND".utf8) else {
                    return .invalid("PNG is truncated (no IEND chunk)")
                }
                return .valid("image/png")
            }
            if head.count >= 3 && Array(head.prefix(3)) == [0xFF, 0xD8, 0xFF] {
                try? handle.seek(toOffset: size - 2)
                let tail = (try? handle.readToEnd()) ?? Data()
                guard Array(tail) == [0xFF, 0xD9] else { return .invalid("JPEG is truncated (no end marker)") }
                return .valid("image/jpeg")
            }
            return .invalid("not a PNG or JPEG image")
        }
    }

    private static func validateMP4(handle: FileHandle, size: UInt64, head: Data) -> Validity {
        guard head.count >= 8, Array(head[head.startIndex + 4..<head.startIndex + 8]) == Array("ftyp".utf8) else {
            return .invalid("not an MP4 (no ftyp box at offset 4)")
        }
        var offset: UInt64 = 0
        var sawMoov = false
        var boxes = 0
        while offset < size {
            boxes += 1
            guard boxes < 10_000 else { return .invalid("MP4 has too many boxes") }
            try? handle.seek(toOffset: offset)
            guard let header = try? handle.read(upToCount: 16), header.count >= 8 else { return .invalid("MP4 is truncated (box header)") }
            let bytes = Array(header)
            var boxSize = UInt64(bytes[0]) << 24 | UInt64(bytes[1]) << 16 | UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            if boxSize == 1 {
                guard bytes.count >= 16 else { return .invalid("MP4 is truncated (large box header)") }
                boxSize = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            } else if boxSize == 0 {
                boxSize = size - offset
            }
            guard boxSize >= 8 else { return .invalid("MP4 box '\(type)' has an invalid size") }
            if type == "moov" { sawMoov = true }
            offset += boxSize
        }
        guard offset == size else { return .invalid("MP4 is truncated (last box runs past the end)") }
        guard sawMoov else { return .invalid("MP4 has no moov box") }
        return .valid("video/mp4")
    }
}
