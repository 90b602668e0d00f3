import Foundation
import Testing

@testable import MVBackends

/// The merge engine against real ffmpeg: method choice, geometry, crossfade and song lengths (read back by ffprobe),
/// refusals, and atomic output.
struct VideoMergerTests {
    /// One frame at the clips' 24 fps, plus ffprobe's millisecond rounding.
    static let frame = 1.0 / 24 + 0.005

    private let merger = VideoMerger()

    /// An H.264 yuv420p MP4 made with ffmpeg's test sources.
    static func clip(
        _ dir: String, _ name: String, width: Int = 320, height: Int = 240, seconds: Double = 1, fps: Int = 24, audio: Bool = true,
        color: String = "red"
    ) async throws -> String {
        let path = dir + "/" + name
        var arguments = ["-f", "lavfi", "-i", "color=c=\(color):s=\(width)x\(height):r=\(fps):d=\(seconds)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)"] }
        arguments += ["-map", "0:v"]
        if audio { arguments += ["-map", "1:a", "-c:a", "aac", "-b:a", "64k"] }
        arguments += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", "\(seconds)", "-f", "mp4", path]
        try await FFmpegRunner().run(arguments)
        return path
    }

    /// An MP3 song of about `seconds`.
    static func song(_ dir: String, seconds: Double) async throws -> String {
        let path = dir + "/song-\(seconds).mp3"
        try await FFmpegRunner().run([
            "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=44100:duration=\(seconds)", "-c:a", "libmp3lame", "-f", "mp3", path,
        ])
        return path
    }

    private func leftovers(in dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".merge-") }
    }

    @Test func identicalClipsAreJoinedByStreamCopy() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [
            try await Self.clip(dir, "a.mp4", color: "red"), try await Self.clip(dir, "b.mp4", color: "blue"),
            try await Self.clip(dir, "c.mp4", color: "green"),
        ]
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, output: output))
        #expect(outcome.method == .streamCopy)
        let info = try await MediaProbe.probe(path: output)
        #expect(abs(info.durationSeconds - 3) <= Self.frame)
        #expect(abs(outcome.durationSeconds - info.durationSeconds) < 0.001)
        #expect(info.videoCodec == "h264" && info.width == 320 && info.height == 240)
        #expect(info.audioCodec == "aac")
        #expect(try leftovers(in: dir).isEmpty)
    }

    @Test func differentSizesAreReencodedToTheFirstClipsGeometry() async throws {
        let dir = try TestSupport.workDirectory()
        let first = try await Self.clip(dir, "first.mp4", width: 320, height: 240, audio: false)
        let wide = try await Self.clip(dir, "wide.mp4", width: 640, height: 360, seconds: 2, audio: true, color: "blue")
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: [MergeInput(path: first), MergeInput(path: wide)], output: output))
        #expect(outcome.method == .reencode)
        let info = try await MediaProbe.probe(path: output)
        #expect(info.width == 320 && info.height == 240)
        #expect(info.pixelFormat == "yuv420p")
        #expect(info.frameRate == "24/1")
        #expect(abs(info.durationSeconds - 3) <= Self.frame)
        #expect(info.audioCodec == "aac", "the second clip's sound is kept; the first gets silence")
    }

    @Test func aDifferentFrameRateForcesAReencode() async throws {
        let dir = try TestSupport.workDirectory()
        let a = try await Self.clip(dir, "a.mp4")
        let b = try await Self.clip(dir, "b.mp4", fps: 30)
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: [MergeInput(path: a), MergeInput(path: b)], output: output))
        #expect(outcome.method == .reencode)
        let info = try await MediaProbe.probe(path: output)
        #expect(info.frameRate == "24/1")
        #expect(abs(info.durationSeconds - 2) <= Self.frame)
    }

    @Test func crossfadeLengthIsClipsMinusOverlaps() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [
            try await Self.clip(dir, "a.mp4", seconds: 2), try await Self.clip(dir, "b.mp4", seconds: 2, audio: false, color: "blue"),
            try await Self.clip(dir, "c.mp4", seconds: 2, color: "green"),
        ]
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(
            MergeSpec(clips: clips.map { MergeInput(path: $0) }, transition: .crossfade, transitionSeconds: 0.5, output: output))
        #expect(outcome.method == .reencode)
        let info = try await MediaProbe.probe(path: output)
        // n·d − (n−1)·t = 3·2 − 2·0.5
        #expect(abs(info.durationSeconds - 5) <= Self.frame)
        #expect(abs((info.videoDurationSeconds ?? 0) - 5) <= Self.frame)
        #expect(info.audioCodec == "aac")
    }

    @Test func crossfadeWithoutAnySoundIsPictureOnly() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [try await Self.clip(dir, "a.mp4", seconds: 1, audio: false), try await Self.clip(dir, "b.mp4", seconds: 1, audio: false)]
        let output = dir + "/out.mp4"
        _ = try await merger.merge(
            MergeSpec(clips: clips.map { MergeInput(path: $0) }, transition: .crossfade, transitionSeconds: 0.25, output: output))
        let info = try await MediaProbe.probe(path: output)
        #expect(info.audioCodec == nil)
        #expect(abs(info.durationSeconds - 1.75) <= Self.frame)
    }

    @Test func aCrossfadeAsLongAsAClipIsRefused() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [try await Self.clip(dir, "a.mp4", seconds: 1), try await Self.clip(dir, "b.mp4", seconds: 2)]
        let output = dir + "/out.mp4"
        let error = await #expect(throws: FFmpegError.self) {
            try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, transition: .crossfade, transitionSeconds: 1, output: output))
        }
        #expect(error?.kind == .invalidInput)
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// Two 1 s clips (2 s of video) under a song longer (3 s) or shorter (1.5 s) than them.
    @Test(arguments: [
        (AudioFit.trim, 3.0), (.trim, 1.5), (.loop, 3.0), (.loop, 1.5), (.none, 3.0), (.none, 1.5),
    ])
    func songIsFitted(fit: AudioFit, songSeconds: Double) async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [try await Self.clip(dir, "a.mp4"), try await Self.clip(dir, "b.mp4", color: "blue")]
        let song = try await Self.song(dir, seconds: songSeconds)
        let songLength = try await MediaProbe.probe(path: song).durationSeconds
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, audio: song, fit: fit, output: output))
        let expected = switch fit {
        case .trim: min(2, songLength)
        case .loop: songLength
        case .none: 2.0
        }
        let info = try await MediaProbe.probe(path: output)
        #expect(abs(info.durationSeconds - expected) <= Self.frame, "\(fit) under a \(songLength) s song: \(info.durationSeconds)")
        #expect(abs((info.videoDurationSeconds ?? 0) - expected) <= Self.frame, "the picture spans the result")
        #expect(outcome.method == .streamCopy, "the picture is copied; only the song is encoded")
        #expect(info.audioCodec == "aac" && info.audioChannels == 2 && info.audioSampleRate == 48000, "the song, not the clips' mono sound")
    }

    @Test func loopUnderALongerSongRepeatsTheClipsByStreamCopy() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [try await Self.clip(dir, "a.mp4"), try await Self.clip(dir, "b.mp4", color: "blue")]
        let song = try await Self.song(dir, seconds: 5.5)
        let songLength = try await MediaProbe.probe(path: song).durationSeconds
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, audio: song, fit: .loop, output: output))
        #expect(outcome.method == .streamCopy)
        let info = try await MediaProbe.probe(path: output)
        #expect(abs((info.videoDurationSeconds ?? 0) - songLength) <= Self.frame, "2 s of clips played almost three times")
        #expect(abs(outcome.durationSeconds - songLength) <= Self.frame)
    }

    @Test func loopWithReencodedClipsUnderALongerSong() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [try await Self.clip(dir, "a.mp4"), try await Self.clip(dir, "b.mp4", width: 640, height: 480, color: "blue")]
        let song = try await Self.song(dir, seconds: 3.5)
        let songLength = try await MediaProbe.probe(path: song).durationSeconds
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, audio: song, fit: .loop, output: output))
        #expect(outcome.method == .reencode)
        let info = try await MediaProbe.probe(path: output)
        #expect(info.width == 320 && info.height == 240)
        #expect(abs(info.durationSeconds - songLength) <= Self.frame)
    }

    @Test func aClipThatIsNotAVideoIsRefused() async throws {
        let dir = try TestSupport.workDirectory()
        let good = try await Self.clip(dir, "a.mp4")
        let text = dir + "/notes.mp4"
        FileManager.default.createFile(atPath: text, contents: Data("file '/etc/passwd'\n".utf8))
        let output = dir + "/out.mp4"
        let error = await #expect(throws: FFmpegError.self) {
            try await merger.merge(MergeSpec(clips: [MergeInput(path: good), MergeInput(path: text)], output: output))
        }
        #expect(error?.kind == .invalidInput)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try leftovers(in: dir).isEmpty)
    }

    @Test func anAudioOnlyFileIsNotAClip() async throws {
        let dir = try TestSupport.workDirectory()
        let good = try await Self.clip(dir, "a.mp4")
        let sound = dir + "/sound.m4a"
        try await FFmpegRunner().run(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", "-f", "mp4", sound])
        let error = await #expect(throws: FFmpegError.self) {
            try await merger.merge(MergeSpec(clips: [MergeInput(path: good), MergeInput(path: sound)], output: dir + "/out.mp4"))
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("no video stream") == true)
    }

    @Test func aSongThatIsNotAudioIsRefused() async throws {
        let dir = try TestSupport.workDirectory()
        let clips = [try await Self.clip(dir, "a.mp4"), try await Self.clip(dir, "b.mp4")]
        let playlist = dir + "/song.m3u8"
        FileManager.default.createFile(atPath: playlist, contents: Data("#EXTM3U\n#EXTINF:1,\n\(clips[0])\n".utf8))
        let error = await #expect(throws: FFmpegError.self) {
            try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, audio: playlist, output: dir + "/out.mp4"))
        }
        #expect(error?.kind == .invalidInput)
    }

    @Test func aPathWithAQuoteIsQuotedInTheConcatList() async throws {
        let dir = try TestSupport.workDirectory() + "/it's here"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let clips = [try await Self.clip(dir, "a'1.mp4"), try await Self.clip(dir, "b.mp4", color: "blue")]
        let output = dir + "/out.mp4"
        let outcome = try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, output: output))
        #expect(outcome.method == .streamCopy)
        #expect(abs(outcome.durationSeconds - 2) <= Self.frame)
    }

    @Test func aPathWithALineBreakIsRefusedBeforeFFmpegRuns() async throws {
        let dir = try TestSupport.workDirectory()
        let good = try await Self.clip(dir, "a.mp4")
        let output = dir + "/out.mp4"
        let error = await #expect(throws: FFmpegError.self) {
            try await merger.merge(MergeSpec(clips: [MergeInput(path: good), MergeInput(path: dir + "/b.mp4\nfile '/etc/passwd")], output: output))
        }
        #expect(error?.kind == .invalidInput)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(throws: FFmpegError.self) { try ConcatList.render(["relative/clip.mp4"]) }
    }

    @Test func concatListEscapesQuotes() throws {
        #expect(try ConcatList.render(["/m/a.mp4", "/m/it's.mp4"]) == "ffconcat version 1.0\nfile '/m/a.mp4'\nfile '/m/it'\\''s.mp4'\n")
    }

    @Test func storedProbesAreTrustedInsteadOfProbingAgain() async throws {
        let dir = try TestSupport.workDirectory()
        let a = try await Self.clip(dir, "a.mp4")
        let b = try await Self.clip(dir, "b.mp4", color: "blue")
        let real = try await MediaProbe.probe(path: a)
        var claimed = real
        claimed.frameRate = "25/1"
        let output = dir + "/out.mp4"
        // The files are identical in format; only the stored record of b differs, so a re-encode proves it was used.
        let outcome = try await merger.merge(MergeSpec(clips: [MergeInput(path: a, info: real), MergeInput(path: b, info: claimed)], output: output))
        #expect(outcome.method == .reencode)
        // An incomplete record (stored before frame rate and timebase were kept) is probed again.
        var old = real
        old.frameRate = nil
        old.timeBase = nil
        let again = try await merger.merge(MergeSpec(clips: [MergeInput(path: a, info: real), MergeInput(path: b, info: old)], output: output))
        #expect(again.method == .streamCopy)
    }

    @Test func durationFromTheMovieHeaderMatchesFFprobe() async throws {
        let dir = try TestSupport.workDirectory()
        for (index, seconds) in [0.5, 1.25, 3.0].enumerated() {
            let path = try await Self.clip(dir, "c\(index).mp4", seconds: seconds)
            let probed = try await MediaProbe.probe(path: path).durationSeconds
            #expect(abs((MP4Duration.read(path: path) ?? -1) - probed) < 0.0015)
        }
        let text = dir + "/x.mp4"
        FileManager.default.createFile(atPath: text, contents: Data("not an mp4 at all".utf8))
        #expect(MP4Duration.read(path: text) == nil)
    }

    @Test(arguments: ["videoCodec", "width", "pixelFormat", "frameRate", "timeBase", "audioSampleRate"])
    func anyDifferenceInTheStreamsPreventsStreamCopy(field: String) throws {
        let base = MediaInfo(
            formatName: "mov,mp4,m4a,3gp,3g2,mj2", durationSeconds: 4, videoCodec: "h264", width: 1280, height: 720, pixelFormat: "yuv420p",
            audioCodec: "aac", frameRate: "24/1", timeBase: "1/12288", videoDurationSeconds: 4, audioSampleRate: 48000, audioChannels: 2)
        var other = base
        switch field {
        case "videoCodec": other.videoCodec = "hevc"
        case "width": other.width = 1920
        case "pixelFormat": other.pixelFormat = "yuv444p"
        case "frameRate": other.frameRate = "30/1"
        case "timeBase": other.timeBase = "1/15360"
        default: other.audioSampleRate = 44100
        }
        let plan = try MergePlan(clips: [base, other], song: nil, transition: .none, transitionSeconds: 0.5, fit: .trim)
        #expect(plan.method == .reencode)
        let same = try MergePlan(clips: [base, base], song: nil, transition: .none, transitionSeconds: 0.5, fit: .trim)
        #expect(same.method == .streamCopy)
        if field == "audioSampleRate" {
            let song = MergePlan.Song(path: "/s.mp3", demuxer: "mp3", seconds: 10)
            let withSong = try MergePlan(clips: [base, other], song: song, transition: .none, transitionSeconds: 0.5, fit: .loop)
            #expect(withSong.method == .streamCopy, "with a song the clips' sound is dropped, so it need not match")
            #expect(withSong.repeats == 2)
        }
    }
}
