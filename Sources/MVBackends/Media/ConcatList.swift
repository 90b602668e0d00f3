import Foundation

/// The list file of ffmpeg's concat demuxer (`-f concat -safe 0 -i list.txt`), written by us from paths we built.
///
/// Each entry is `file '<absolute path>'`. Inside single quotes the demuxer's only special character is the quote
/// itself, written `'\''` (close, escaped quote, reopen). A line break or any other control character cannot be written
/// safely (the demuxer reads the list line by line), so such a path is refused, as is a relative path (it would be
/// resolved against the list's folder, and one starting with a protocol name could be read as a URL).
enum ConcatList {
    /// The list's text for `paths`, in order.
    /// - Throws: ``FFmpegError`` of kind `invalidInput` for a relative path or one with a control character.
    static func render(_ paths: [String]) throws(FFmpegError) -> String {
        var text = "ffconcat version 1.0\n"
        for path in paths {
            text += "file '\(try escape(path))'\n"
        }
        return text
    }

    /// `path` quoted for a `file` line, without the surrounding quotes.
    /// - Throws: ``FFmpegError`` of kind `invalidInput` when it cannot be written safely.
    static func escape(_ path: String) throws(FFmpegError) -> String {
        guard path.hasPrefix("/") else {
            throw FFmpegError(kind: .invalidInput, message: "a clip path must be absolute")
        }
        guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FFmpegError(kind: .invalidInput, message: "a clip path contains a line break or control character")
        }
        return path.replacingOccurrences(of: "'", with: #"'\''"#)
    }

    /// Writes the list for `paths` to `file`.
    /// - Throws: ``FFmpegError`` when a path is refused or the file cannot be written.
    static func write(_ paths: [String], to file: String) throws(FFmpegError) {
        let text = try render(paths)
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw FFmpegError(kind: .launchFailed, message: "cannot write the concat list in the merge's work folder")
        }
    }
}
