import ArgumentParser
import Foundation
import MVBackends
import MVCore

extension MVServiceCommand {
    /// `mvservice merge-bench` (hidden; run by `Benchmarks/merge.sh`): times ``VideoMerger`` against bare
    /// `ffmpeg -f concat -safe 0 -i list -c copy` on the same clips in the same process, runs interleaved, both spawned
    /// through the same ``ProcessRunner``, and prints the medians and their ratio.
    struct MergeBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge-bench", abstract: "Benchmark the merge engine against bare ffmpeg concat.", shouldDisplay: false)

        @Option(name: .long, help: "Runs of each (interleaved).")
        var runs: Int = 10

        @Option(name: .customLong("work-dir"), help: "Folder for the list file and outputs.")
        var workDir: String

        @Option(name: .long, help: "ffmpeg executable.")
        var ffmpeg: String = "ffmpeg"

        @Argument(help: "The clips (absolute paths), in order.")
        var clips: [String]

        func run() async throws {
            let runner = FFmpegRunner(executable: ffmpeg, timeout: .seconds(300))
            let merger = VideoMerger(ffmpeg: runner)
            var inputs: [MergeInput] = []
            for clip in clips {
                // The service stores each clip's probe at creation; the merge reads it instead of running ffprobe.
                inputs.append(MergeInput(path: clip, info: try await MediaProbe.probe(path: clip, ffprobePath: merger.ffprobePath)))
            }
            let list = workDir + "/bare.txt"
            let text = clips.map { "file '\($0)'\n" }.joined()
            guard FileManager.default.createFile(atPath: list, contents: Data(text.utf8)) else { throw ArgumentParser.ValidationError("cannot write \(list)") }

            var bare: [Double] = []
            var ours: [Double] = []
            var unprobed: [Double] = []
            var method = MergeMethod.reencode
            var seconds = 0.0
            for _ in 0..<runs {
                let start = ContinuousClock.now
                let output = try await ProcessRunner.run(
                    ffmpeg, ["-nostdin", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", workDir + "/bare.mp4"])
                bare.append((ContinuousClock.now - start).seconds)
                guard output.exitCode == 0 else { throw ArgumentParser.ValidationError("bare ffmpeg failed: \(output.stderr)") }

                let oursStart = ContinuousClock.now
                let outcome = try await merger.merge(MergeSpec(clips: inputs, output: workDir + "/ours.mp4"))
                ours.append((ContinuousClock.now - oursStart).seconds)
                method = outcome.method
                seconds = outcome.durationSeconds

                let unprobedStart = ContinuousClock.now
                _ = try await merger.merge(MergeSpec(clips: clips.map { MergeInput(path: $0) }, output: workDir + "/unprobed.mp4"))
                unprobed.append((ContinuousClock.now - unprobedStart).seconds)
            }
            func median(_ values: [Double]) -> Double {
                let sorted = values.sorted()
                return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            }
            let base = median(bare)
            print("clips: \(clips.count), runs: \(runs) each (interleaved), result: \(method.rawValue), \(String(format: "%.3f", seconds)) s")
            print("| run                                        | median ms | min ms | max ms | × bare |")
            print("|--------------------------------------------|----------:|-------:|-------:|-------:|")
            for (name, values) in [
                ("bare ffmpeg -f concat -c copy", bare), ("VideoMerger, stored probes (the service)", ours),
                ("VideoMerger, probing every clip", unprobed),
            ] {
                let figures = String(
                    format: "%9.1f | %6.1f | %6.1f | %5.2f×", median(values) * 1000, (values.min() ?? 0) * 1000, (values.max() ?? 0) * 1000,
                    median(values) / base)
                print("| \(name.padding(toLength: 42, withPad: " ", startingAt: 0)) | \(figures) |")
            }
        }
    }
}
