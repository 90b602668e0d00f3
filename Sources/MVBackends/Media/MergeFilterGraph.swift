import Foundation

/// The `-filter_complex` of a re-encoding merge, built from a ``MergePlan`` (numbers only; no path or client text
/// ever goes into it).
///
/// Each clip's picture is scaled to fit the first clip's size keeping its aspect ratio, padded to it (centred), given
/// square pixels, the first clip's frame rate, yuv420p and a common timebase (xfade needs equal timebases). Each
/// clip's sound, when kept, is resampled to 48 kHz stereo and padded or cut to the clip's picture length; a clip
/// without sound gets that much silence, so sound stays in step with the picture. Hard cuts join with `concat`,
/// crossfades with a chain of `xfade` (picture) and `acrossfade` (sound), clip k starting at
/// d₀ + … + dₖ₋₁ − k·t.
enum MergeFilterGraph {
    /// The graph and the labels of its outputs.
    struct Graph: Sendable, Equatable {
        /// The `-filter_complex` text.
        var text: String
        /// The picture's output label, e.g. `[vout]`.
        var video: String
        /// The sound's output label, or nil when the clips' sound is not kept.
        var audio: String?
    }

    /// The graph for `plan`, whose clips are ffmpeg inputs 0..<n.
    static func build(_ plan: MergePlan) -> Graph {
        let g = plan.geometry
        var parts: [String] = []
        for index in plan.clipSeconds.indices {
            parts.append(
                "[\(index):v:0]scale=\(g.width):\(g.height):force_original_aspect_ratio=decrease,"
                    + "pad=\(g.width):\(g.height):(ow-iw)/2:(oh-ih)/2,setsar=1,fps=\(g.frameRate),format=yuv420p,settb=AVTB[v\(index)]")
            if plan.keepsClipAudio {
                let seconds = number(plan.clipSeconds[index])
                if plan.clipHasAudio[index] {
                    parts.append(
                        "[\(index):a:0]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,"
                            + "apad=whole_dur=\(seconds),atrim=duration=\(seconds),asetpts=PTS-STARTPTS[a\(index)]")
                } else {
                    parts.append("anullsrc=r=48000:cl=stereo,atrim=duration=\(seconds),asetpts=PTS-STARTPTS[a\(index)]")
                }
            }
        }
        let count = plan.clipSeconds.count
        if let fade = plan.crossfadeSeconds, count > 1 {
            var video = "[v0]"
            var audio = "[a0]"
            var start = 0.0
            for index in 1..<count {
                start += plan.clipSeconds[index - 1] - fade
                parts.append("\(video)[v\(index)]xfade=transition=fade:duration=\(number(fade)):offset=\(number(start))[x\(index)]")
                video = "[x\(index)]"
                if plan.keepsClipAudio {
                    parts.append("\(audio)[a\(index)]acrossfade=d=\(number(fade))[y\(index)]")
                    audio = "[y\(index)]"
                }
            }
            return Graph(text: parts.joined(separator: ";"), video: video, audio: plan.keepsClipAudio ? audio : nil)
        }
        let inputs = plan.clipSeconds.indices.map { "[v\($0)]" + (plan.keepsClipAudio ? "[a\($0)]" : "") }.joined()
        parts.append("\(inputs)concat=n=\(count):v=1:a=\(plan.keepsClipAudio ? 1 : 0)[vout]" + (plan.keepsClipAudio ? "[aout]" : ""))
        return Graph(text: parts.joined(separator: ";"), video: "[vout]", audio: plan.keepsClipAudio ? "[aout]" : nil)
    }

    /// Seconds with microsecond precision and no exponent (filter options parse plain decimals).
    static func number(_ value: Double) -> String {
        String(format: "%.6f", value)
    }
}
