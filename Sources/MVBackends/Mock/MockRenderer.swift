import Crypto
import Foundation

/// Makes real media with ffmpeg for the mock provider: an H.264 MP4 or a PNG/JPEG with the prompt
/// drawn on a color derived from the seed and prompt.
struct MockRenderer: Sendable {
    let ffmpeg: FFmpegRunner
    let fontPath: String?

    init(configuration: MockConfiguration) {
        self.ffmpeg = FFmpegRunner(executable: configuration.ffmpegPath, timeout: .seconds(300))
        self.fontPath = Self.findFont(configured: configuration.fontPath)
    }

    /// Video frame size for an aspect ratio and resolution (16:9 720p = 1280x720, 9:16 = 720x1280, 1:1 = 720x720).
    static func videoSize(aspectRatio: String, resolution: String) -> (width: Int, height: Int) {
        let short = resolution == "1080p" ? 1080 : 720
        let long = short * 16 / 9
        switch aspectRatio {
        case "9:16": return (short, long)
        case "1:1": return (short, short)
        default: return (long, short)
        }
    }

    /// Image size for an aspect ratio.
    static func imageSize(aspectRatio: String) -> (width: Int, height: Int) {
        switch aspectRatio {
        case "16:9": return (1280, 720)
        case "9:16": return (720, 1280)
        case "4:3": return (1024, 768)
        case "3:4": return (768, 1024)
        default: return (1024, 1024)
        }
    }

    /// A dark-ish color from a hash of seed and prompt, as `0xRRGGBB`.
    static func color(prompt: String, seed: Int?) -> String {
        let digest = Array(SHA256.hash(data: Data("\(seed.map(String.init) ?? "-")|\(prompt)".utf8)))
        return String(format: "0x%02X%02X%02X", Int(digest[0]) / 2, Int(digest[1]) / 2, Int(digest[2]) / 2)
    }

    func renderVideo(prompt: String, seed: Int?, aspectRatio: String, resolution: String, seconds: Int, audio: Bool, directory: String)
        async throws(FFmpegError) -> String
    {
        let (width, height) = Self.videoSize(aspectRatio: aspectRatio, resolution: resolution)
        let base = "mock-\(UUID().uuidString.lowercased())"
        var args = ["-f", "lavfi", "-i", "color=c=\(Self.color(prompt: prompt, seed: seed)):s=\(width)x\(height):r=24:d=\(seconds)"]
        if audio {
            let frequency = 220 + abs(seed ?? prompt.utf8.count) % 440
            args += ["-f", "lavfi", "-i", "sine=frequency=\(frequency):sample_rate=48000:duration=\(seconds)"]
        }
        let textFile = try writeText(prompt, base: base, width: width, directory: directory)
        defer { if let textFile { try? FileManager.default.removeItem(atPath: directory + "/" + textFile) } }
        if let filter = drawText(textFile: textFile, height: height) { args += ["-vf", filter] }
        args += ["-map", "0:v"]
        if audio { args += ["-map", "1:a", "-c:a", "aac", "-b:a", "96k"] }
        args += [
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-t", "\(seconds)", "-f", "mp4",
            base + ".mp4",
        ]
        return try await produce(args, output: base + ".mp4", directory: directory)
    }

    func renderImage(prompt: String, seed: Int?, aspectRatio: String, format: String, directory: String) async throws(FFmpegError) -> String {
        let (width, height) = Self.imageSize(aspectRatio: aspectRatio)
        let base = "mock-\(UUID().uuidString.lowercased())"
        let ext = format == "jpg" ? "jpg" : "png"
        var args = ["-f", "lavfi", "-i", "color=c=\(Self.color(prompt: prompt, seed: seed)):s=\(width)x\(height)"]
        let textFile = try writeText(prompt, base: base, width: width, directory: directory)
        defer { if let textFile { try? FileManager.default.removeItem(atPath: directory + "/" + textFile) } }
        if let filter = drawText(textFile: textFile, height: height) { args += ["-vf", filter] }
        args += ["-frames:v", "1", "-update", "1"]
        args += ext == "jpg" ? ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"] : ["-c:v", "png"]
        args += ["-f", "image2", base + "." + ext]
        return try await produce(args, output: base + "." + ext, directory: directory)
    }

    private func produce(_ args: [String], output: String, directory: String) async throws(FFmpegError) -> String {
        let path = directory + "/" + output
        do {
            try await ffmpeg.run(args, workingDirectory: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return path
    }

    /// Writes the wrapped prompt next to the output; ffmpeg reads it through `textfile=` (no escaping of user text).
    /// Returns the relative file name, or `nil` when there is no font to draw with.
    private func writeText(_ prompt: String, base: String, width: Int, directory: String) throws(FFmpegError) -> String? {
        guard fontPath != nil else { return nil }
        let name = base + ".txt"
        let columns = max(16, width / 24)
        let text = Self.wrap(prompt, columns: columns, maxLines: 8)
        guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8)) else {
            throw FFmpegError(kind: .launchFailed, message: "cannot write text file in work directory")
        }
        return name
    }

    private func drawText(textFile: String?, height: Int) -> String? {
        guard let textFile, let fontPath else { return nil }
        let size = max(16, height / 24)
        return "drawtext=fontfile=\(fontPath):textfile=\(textFile):expansion=none:fontcolor=white:fontsize=\(size)"
            + ":line_spacing=\(size / 3):x=(w-text_w)/2:y=(h-text_h)/2:box=1:boxcolor=black@0.45:boxborderw=\(size / 2)"
    }

    static func wrap(_ text: String, columns: Int, maxLines: Int) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            let piece = word.count > columns ? String(word.prefix(columns - 1)) + "…" : String(word)
            if current.isEmpty {
                current = piece
            } else if current.count + 1 + piece.count <= columns {
                current += " " + piece
            } else {
                lines.append(current)
                current = piece
            }
            if lines.count == maxLines { break }
        }
        if !current.isEmpty && lines.count < maxLines { lines.append(current) }
        if lines.count == maxLines { lines[maxLines - 1] += " …" }
        return lines.isEmpty ? " " : lines.joined(separator: "\n")
    }

    /// The configured font, or a common system font; only paths made of safe characters (they go into a
    /// filter string unescaped), otherwise `nil` (draw without text).
    static func findFont(configured: String?) -> String? {
        let candidates =
            configured.map { [$0] } ?? [
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/TTF/DejaVuSans.ttf",
                "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
                "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
                "/System/Library/Fonts/Supplemental/Arial.ttf",
            ]
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")
        return candidates.first { path in
            path.allSatisfy { safe.contains($0) } && FileManager.default.fileExists(atPath: path)
        }
    }
}
