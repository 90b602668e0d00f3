import Foundation

/// Decides an upload's format from its first bytes (magic numbers), and for images reads the declared dimensions from
/// the header (PNG `IHDR`, JPEG `SOFn`, WEBP `VP8 `/`VP8L`/`VP8X`) BEFORE anything decodes it, so a small file declaring
/// a huge canvas (an image bomb) is refused without ffmpeg allocating it. Reads at most a few bytes per header segment.
enum UploadSniffer {
    /// Largest accepted width or height of an image.
    static let maxImageSide = 16_384
    /// Largest accepted width × height of an image (40 megapixels).
    static let maxImagePixels = 40_000_000

    /// What the first bytes say.
    struct Sniffed: Equatable {
        var format: UploadFormat
        /// Width and height an image's header declares (nil for audio).
        var dimensions: Dimensions?
    }

    /// An image's declared size.
    struct Dimensions: Equatable {
        var width: Int
        var height: Int
    }

    /// Sniffs the file at `path` (`size` bytes).
    /// - Throws: ``UploadError/empty``, ``UploadError/unsupportedType(_:)`` for anything not accepted (playlists and
    ///   text included), ``UploadError/invalidMedia(_:)`` for a broken header or dimensions over the caps.
    static func sniff(path: String, size: Int64) throws(UploadError) -> Sniffed {
        guard size > 0 else { throw .empty }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .invalidMedia("The upload could not be read back.") }
        defer { try? handle.close() }
        let file = HeaderReader(handle: handle, size: UInt64(size))
        let head = file.bytes(at: 0, count: 64)
        let format = try format(of: head)
        guard format.media == .image else { return Sniffed(format: format, dimensions: nil) }
        try checkEnd(of: format, file: file, head: head)
        let dimensions = try dimensions(of: format, file: file, head: head)
        guard dimensions.width > 0, dimensions.height > 0 else {
            throw .invalidMedia("The image header declares an empty canvas (\(dimensions.width)×\(dimensions.height)).")
        }
        guard dimensions.width <= maxImageSide, dimensions.height <= maxImageSide,
            dimensions.width * dimensions.height <= maxImagePixels
        else {
            throw .invalidMedia(
                "The image declares \(dimensions.width)×\(dimensions.height) pixels; at most \(maxImageSide) per side and \(maxImagePixels / 1_000_000) megapixels are accepted.")
        }
        return Sniffed(format: format, dimensions: dimensions)
    }

    /// The format the magic bytes name, or why none.
    static func format(of head: [UInt8]) throws(UploadError) -> UploadFormat {
        func at(_ offset: Int, _ ascii: String) -> Bool {
            let expected = Array(ascii.utf8)
            return head.count >= offset + expected.count && Array(head[offset..<offset + expected.count]) == expected
        }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if at(0, "RIFF") && at(8, "WEBP") { return .webp }
        if at(0, "RIFF") && at(8, "WAVE") { return .wav }
        if at(0, "OggS") { return .ogg }
        if at(4, "ftyp") { return .m4a }
        if at(0, "ID3") { return .mp3 }
        // An MPEG audio frame header: 11 sync bits, then a layer that is not "reserved" (ADTS AAC has layer 00).
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0, (head[1] >> 1) & 0x03 != 0, (head[1] >> 3) & 0x03 != 1 {
            return .mp3
        }
        let text = String(decoding: head.drop(while: { $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }), as: UTF8.self)
        if text.hasPrefix("#EXTM3U") || text.hasPrefix("#EXT-X-") {
            throw .unsupportedType("Playlists (HLS, M3U) are not accepted; upload the media file itself.")
        }
        if text.hasPrefix("ffconcat") {
            throw .unsupportedType("Concat playlists are not accepted; upload the media file itself.")
        }
        throw .unsupportedType("The bytes are not a PNG, JPEG or WEBP image, nor MP3, WAV, M4A or OGG audio.")
    }

    private static func dimensions(of format: UploadFormat, file: HeaderReader, head: [UInt8]) throws(UploadError) -> Dimensions {
        switch format {
        case .png:
            // Signature (8), then the first chunk must be IHDR: length (4), type (4), width (4), height (4).
            guard head.count >= 24, Array(head[12..<16]) == Array("IHDR".utf8) else { throw .invalidMedia("The PNG has no IHDR header.") }
            return Dimensions(width: Int(bigEndian: head[16..<20]), height: Int(bigEndian: head[20..<24]))
        case .webp:
            return try webpDimensions(head)
        case .jpeg:
            return try jpegDimensions(file)
        case .mp3, .wav, .m4a, .ogg:
            throw .invalidMedia("Not an image.")
        }
    }

    /// An image must be whole: a PNG ends with its `IEND` chunk, a JPEG with its end-of-image marker (only trailing zero
    /// padding may follow; in entropy-coded data `FF D9` cannot occur), a WEBP's RIFF size is the file's. Decoders
    /// tolerate a missing tail (ffmpeg's JPEG decoder does), so this is checked here.
    private static func checkEnd(of format: UploadFormat, file: HeaderReader, head: [UInt8]) throws(UploadError) {
        switch format {
        case .png:
            let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            guard file.size >= 12, file.bytes(at: file.size - 12, count: 12) == iend else {
                throw .invalidMedia("The PNG file is truncated (it does not end with its IEND chunk).")
            }
        case .jpeg:
            let tail = file.bytes(at: file.size > 4096 ? file.size - 4096 : 0, count: 4096)
            let trimmed = tail.reversed().drop(while: { $0 == 0 })
            guard trimmed.count >= 2, Array(trimmed.prefix(2)) == [0xD9, 0xFF] else {
                throw .invalidMedia("The JPEG file is truncated (it does not end with its end-of-image marker).")
            }
        case .webp:
            guard head.count >= 8 else { throw .invalidMedia("The WEBP file is truncated.") }
            let declared = UInt64(Int(littleEndian: head[4..<8])) + 8
            guard declared == file.size || declared + 1 == file.size else {
                throw .invalidMedia("The WEBP file is truncated (its RIFF size says \(declared) bytes, the file has \(file.size)).")
            }
        case .mp3, .wav, .m4a, .ogg:
            return
        }
    }

    /// `VP8 ` (lossy: 14-bit sizes after the start code), `VP8L` (lossless: 14-bit sizes − 1 after the signature) or
    /// `VP8X` (extended: 24-bit canvas sizes − 1).
    private static func webpDimensions(_ head: [UInt8]) throws(UploadError) -> Dimensions {
        guard head.count >= 30 else { throw .invalidMedia("The WEBP header is truncated.") }
        let chunk = String(decoding: head[12..<16], as: UTF8.self)
        let data = Array(head[20...])
        switch chunk {
        case "VP8 ":
            guard data[3] == 0x9D, data[4] == 0x01, data[5] == 0x2A else { throw .invalidMedia("The WEBP frame has no start code.") }
            return Dimensions(width: Int(littleEndian: data[6..<8]) & 0x3FFF, height: Int(littleEndian: data[8..<10]) & 0x3FFF)
        case "VP8L":
            guard data[0] == 0x2F else { throw .invalidMedia("The lossless WEBP has no signature.") }
            let bits = Int(littleEndian: data[1..<5])
            return Dimensions(width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return Dimensions(width: Int(littleEndian: data[4..<7]) + 1, height: Int(littleEndian: data[7..<10]) + 1)
        default:
            throw .invalidMedia("The WEBP has no VP8, VP8L or VP8X chunk first.")
        }
    }

    /// Walks the JPEG's marker segments (by their lengths, skipping APPn metadata) to the first frame header `SOFn`.
    private static func jpegDimensions(_ file: HeaderReader) throws(UploadError) -> Dimensions {
        var offset: UInt64 = 2
        for _ in 0..<1_000 {
            var marker = file.bytes(at: offset, count: 2)
            guard marker.count == 2, marker[0] == 0xFF else { throw .invalidMedia("The JPEG is truncated before its frame header.") }
            // Fill bytes: any number of 0xFF before a marker.
            while marker.count == 2, marker[1] == 0xFF {
                offset += 1
                marker = file.bytes(at: offset, count: 2)
            }
            guard marker.count == 2 else { throw .invalidMedia("The JPEG is truncated before its frame header.") }
            let code = marker[1]
            if code == 0x01 || (0xD0...0xD7).contains(code) {
                offset += 2
                continue
            }
            guard code != 0xD9, code != 0xDA else { throw .invalidMedia("The JPEG has no frame header before its image data.") }
            let segment = file.bytes(at: offset + 2, count: 7)
            guard segment.count >= 2 else { throw .invalidMedia("The JPEG is truncated before its frame header.") }
            let length = Int(bigEndian: segment[0..<2])
            guard length >= 2 else { throw .invalidMedia("The JPEG has a malformed segment.") }
            if (0xC0...0xCF).contains(code), code != 0xC4, code != 0xC8, code != 0xCC {
                guard segment.count == 7 else { throw .invalidMedia("The JPEG frame header is truncated.") }
                return Dimensions(width: Int(bigEndian: segment[5..<7]), height: Int(bigEndian: segment[3..<5]))
            }
            offset += 2 + UInt64(length)
        }
        throw .invalidMedia("The JPEG has too many segments before its frame header.")
    }

    /// Bounded reads at offsets of the file being sniffed.
    private struct HeaderReader {
        let handle: FileHandle
        let size: UInt64

        /// Up to `count` bytes at `offset` (fewer at the end of the file).
        func bytes(at offset: UInt64, count: Int) -> [UInt8] {
            guard offset < size else { return [] }
            guard (try? handle.seek(toOffset: offset)) != nil else { return [] }
            return Array((try? handle.read(upToCount: count)) ?? Data())
        }
    }
}

extension Int {
    /// The unsigned big-endian number in `bytes` (at most 8).
    fileprivate init(bigEndian bytes: ArraySlice<UInt8>) {
        self = bytes.reduce(0) { $0 << 8 | Int($1) }
    }

    /// The unsigned little-endian number in `bytes` (at most 8).
    fileprivate init(littleEndian bytes: ArraySlice<UInt8>) {
        self = bytes.reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
