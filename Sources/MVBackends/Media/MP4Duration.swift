import Foundation

/// Reads an MP4's length from its movie header (`moov/mvhd`: duration ÷ timescale), the figure ffprobe prints as
/// the format's duration, without starting a process: a merge by stream copy takes a few hundred milliseconds, and an
/// ffprobe run would add half of that again.
enum MP4Duration {
    /// The duration in seconds, or nil when the file has no readable movie header (callers fall back to ffprobe).
    static func read(path: String) -> Double? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), let moov = find("moov", in: handle, from: 0, to: end),
            let mvhd = find("mvhd", in: handle, from: moov.lowerBound, to: moov.upperBound)
        else { return nil }
        guard (try? handle.seek(toOffset: mvhd.lowerBound)) != nil, let header = try? handle.read(upToCount: 32), header.count >= 20
        else { return nil }
        let bytes = [UInt8](header)
        let (timescale, duration): (UInt64, UInt64)
        if bytes[0] == 1 {
            guard bytes.count >= 32 else { return nil }
            timescale = integer(bytes, at: 20, count: 4)
            duration = integer(bytes, at: 24, count: 8)
        } else {
            timescale = integer(bytes, at: 12, count: 4)
            duration = integer(bytes, at: 16, count: 4)
        }
        guard timescale > 0 else { return nil }
        return Double(duration) / Double(timescale)
    }

    /// The payload range of the first box of `type` among the boxes in `from..<to`.
    private static func find(_ type: String, in handle: FileHandle, from start: UInt64, to end: UInt64) -> Range<UInt64>? {
        var offset = start
        while offset + 8 <= end {
            guard (try? handle.seek(toOffset: offset)) != nil, let head = try? handle.read(upToCount: 16), head.count >= 8 else { return nil }
            let bytes = [UInt8](head)
            var size = integer(bytes, at: 0, count: 4)
            var headerSize: UInt64 = 8
            if size == 1 {
                guard bytes.count >= 16 else { return nil }
                size = integer(bytes, at: 8, count: 8)
                headerSize = 16
            } else if size == 0 {
                size = end - offset
            }
            guard size >= headerSize, offset + size <= end else { return nil }
            if String(decoding: bytes[4..<8], as: UTF8.self) == type {
                return (offset + headerSize)..<(offset + size)
            }
            offset += size
        }
        return nil
    }

    private static func integer(_ bytes: [UInt8], at index: Int, count: Int) -> UInt64 {
        bytes[index..<(index + count)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
