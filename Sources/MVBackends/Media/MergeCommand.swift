/// The ffmpeg argument lists of a merge's runs. Every input is read over the `file` protocol only, with its demuxer
/// forced (`mov` for clips, `concat` for our list files, the song's allow-listed demuxer), and every output is an
/// MP4 (`-f mp4`, `+faststart`). Paths come from the media store and our work folder, never from a client.
///
/// The clips listed in a concat file are opened by the concat demuxer itself, under the same protocol whitelist;
/// they are files the service stored and probed (or probed just now with `-f mov`).
enum MergeCommand {
    /// How the audio of a song is prepared: EBU R128 loudness normalisation (single pass, −16 LUFS integrated,
    /// −1.5 dBTP, LRA 11), back to 48 kHz, and padded with silence so a shorter song under `fit: none` still spans
    /// the video (the output's `-t` ends it).
    static let songFilter = "loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,apad"

    /// The H.264 settings of a re-encode. No B-frames (`-bf 0`): packets then come in presentation order, so the
    /// copy that lays a song under the picture cuts it at `-t` to the frame (with B-frames it overshoots by the
    /// reordering delay, a few frames; stream-copied clips that have B-frames are cut that way too).
    static let videoEncoding = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-bf", "0", "-pix_fmt", "yuv420p"]

    /// The tail of every output.
    static func output(_ path: String) -> [String] {
        ["-movflags", "+faststart", "-f", "mp4", "file:" + path]
    }

    /// One file input with its demuxer forced.
    static func input(_ path: String, demuxer: String) -> [String] {
        ["-protocol_whitelist", "file", "-f", demuxer, "-i", "file:" + path]
    }

    /// A concat-list input (`-safe 0`: the list holds absolute paths, which we wrote).
    static func concatInput(_ list: String) -> [String] {
        ["-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", "file:" + list]
    }

    /// Joins the clips of `list` by stream copy, keeping their sound when they have it.
    static func streamCopy(list: String, output path: String) -> [String] {
        concatInput(list) + ["-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"] + output(path)
    }

    /// Re-encodes `clips` through `graph` (picture, and the clips' sound when the graph has it; `-an` otherwise),
    /// cut to exactly `seconds`.
    static func reencode(clips: [String], graph: MergeFilterGraph.Graph, seconds: Double, output path: String) -> [String] {
        var arguments = clips.flatMap { input($0, demuxer: "mov") }
        arguments += ["-filter_complex", graph.text, "-map", graph.video]
        if let audio = graph.audio {
            arguments += ["-map", audio, "-c:a", "aac", "-b:a", "160k"]
        } else {
            arguments += ["-an"]
        }
        arguments += videoEncoding + ["-t", MergeFilterGraph.number(seconds)]
        return arguments + output(path)
    }

    /// Lays `song` under the picture of the files in `list` (copied, not re-encoded), cut to `seconds`; the
    /// pictures' own sound is dropped.
    static func withSong(list: String, song: MergePlan.Song, seconds: Double, output path: String) -> [String] {
        concatInput(list) + input(song.path, demuxer: song.demuxer)
            + ["-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-af", songFilter, "-c:a", "aac", "-b:a", "192k", "-ac", "2"]
            + ["-t", MergeFilterGraph.number(seconds)] + output(path)
    }
}
