import Foundation
import Synchronization

/// Runs a child process without blocking any thread while it runs: the exit is awaited through
/// `terminationHandler`, output goes to temp files (no pipe can fill up), and a timeout or task
/// cancellation terminates (then kills) the process.
enum ProcessRunner {
    static func run(
        executable: String,
        arguments: [String],
        workingDirectory: String?,
        timeout: Duration
    ) async throws(FFmpegError) -> ProcessOutput {
        guard let url = resolve(executable) else {
            throw FFmpegError(kind: .notFound, message: "\(executable) not found")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mvproc-\(UUID().uuidString)")
        let outURL = scratch.appendingPathExtension("out")
        let errURL = scratch.appendingPathExtension("err")
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
            FileManager.default.createFile(atPath: errURL.path, contents: nil),
            let outHandle = try? FileHandle(forWritingTo: outURL),
            let errHandle = try? FileHandle(forWritingTo: errURL)
        else {
            throw FFmpegError(kind: .launchFailed, message: "cannot create output files")
        }
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }

        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let stopReason = StopReason()

        let status: Int32
        do {
            status = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                    process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
                    do {
                        try process.run()
                    } catch {
                        process.terminationHandler = nil
                        continuation.resume(throwing: error)
                        return
                    }
                    let pid = process.processIdentifier
                    Task {
                        try? await Task.sleep(for: timeout)
                        guard process.isRunning else { return }
                        stopReason.set(.timedOut)
                        Self.stop(process, pid: pid)
                    }
                }
            } onCancel: {
                stopReason.set(.canceled)
                if process.isRunning { Self.stop(process, pid: process.processIdentifier) }
            }
        } catch {
            throw FFmpegError(kind: .launchFailed, message: "cannot start \(url.lastPathComponent): \(error)")
        }
        if let reason = stopReason.value {
            throw FFmpegError(kind: reason, message: "\(url.lastPathComponent) was stopped (\(reason.rawValue))")
        }
        let stdout = (try? Data(contentsOf: outURL)) ?? Data()
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return ProcessOutput(exitCode: status, stdout: stdout, stderr: stderr)
    }

    /// SIGTERM now, SIGKILL two seconds later if it is still alive.
    private static func stop(_ process: Process, pid: Int32) {
        process.terminate()
        Task {
            try? await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }

    /// Resolves a bare name through `PATH`; paths are used as given.
    static func resolve(_ executable: String) -> URL? {
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? URL(fileURLWithPath: executable) : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        return nil
    }
}

/// Why a process was stopped (first reason wins), shared with the timeout task and the cancel handler.
private final class StopReason: Sendable {
    private let state = Mutex<FFmpegError.Kind?>(nil)

    var value: FFmpegError.Kind? { state.withLock { $0 } }

    func set(_ reason: FFmpegError.Kind) {
        state.withLock { $0 = $0 ?? reason }
    }
}
