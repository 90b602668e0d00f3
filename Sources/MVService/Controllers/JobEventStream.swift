import Foundation
import Hummingbird
import MVAuth
import MVCore
import NIOCore

/// `GET /api/jobs/{id}/events`: Server-Sent Events for one job. `status` when the state changes, `progress` when the
/// progress or stage moves, for render and re-roll jobs `stage` (`{"stage": "clips", "status": "running"}`, every
/// one in order, ids `stage-<n>`), and `done` (the final job) before the stream ends. Event ids name the job snapshot, so a
/// client reconnecting with `Last-Event-ID` only hears about changes after it. The job row is read every
/// `pollInterval`; a stream lasts at most `maxDuration` (the client reconnects, told so by `retry:`).
struct JobEventStream {
    let queue: JobQueue
    var pollInterval: Duration = .milliseconds(500)
    var maxDuration: Duration = .seconds(600)

    func response(jobID: UUID, viewer: AssetViewer, lastEventID: String?) async throws -> Response {
        guard let first = try await queue.job(id: jobID, viewer: viewer) else { throw Problem.notFound("job") }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let queue = self.queue
        let pollInterval = self.pollInterval
        let maxDuration = self.maxDuration
        let body = ResponseBody { writer in
            var record = first
            var lastID = lastEventID
            var lastState: JobState? = nil
            var lastProgress: (Double, String)? = nil
            // Render and re-roll jobs also tell their stages, in order, from `job_stage_events`.
            let hasStages = first.kind == .renderProject || first.kind == .regenerateScene
            var lastStage: Int64 = lastEventID.flatMap { $0.hasPrefix("stage-") ? Int64($0.dropFirst(6)) : nil } ?? 0
            let deadline = ContinuousClock.now + maxDuration
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while true {
                // Stages first: a job's last stage event comes before the status that says it finished.
                if hasStages {
                    for event in try await queue.stageEvents(jobID: jobID, after: lastStage) {
                        try await writer.write(Self.event(
                            "stage", id: "stage-\(event.id)",
                            ["stage": .string(event.stage.rawValue), "status": .string(event.status.rawValue)]))
                        lastStage = event.id
                    }
                }
                let id = Self.snapshotID(record)
                if id != lastID {
                    if record.state != lastState {
                        try await writer.write(Self.event("status", id: id, ["status": .string(record.state.rawValue), "stage": .string(record.stage), "attempts": .number(Double(record.attempts))]))
                        lastState = record.state
                    }
                    if lastProgress.map({ $0 != record.progress || $1 != record.stage }) ?? true {
                        try await writer.write(Self.event("progress", id: id, ["progress": .number(record.progress), "stage": .string(record.stage)]))
                        lastProgress = (record.progress, record.stage)
                    }
                    lastID = id
                }
                if record.state.isFinal {
                    let done = try JSONCoding.encode(JobResponse(record))
                    try await writer.write(ByteBuffer(string: "id: \(id)\nevent: done\ndata: \(String(decoding: done, as: UTF8.self))\n\n"))
                    break
                }
                guard ContinuousClock.now < deadline else { break }
                try await Task.sleep(for: pollInterval)
                guard let fresh = try await queue.job(id: jobID, viewer: viewer) else { break }
                record = fresh
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Names the snapshot: state, progress (per mille), stage and attempt.
    static func snapshotID(_ record: JobRecord) -> String {
        "\(record.state.rawValue)-\(Int((record.progress * 1000).rounded()))-\(record.attempts)-\(record.stage)"
    }

    static func event(_ name: String, id: String, _ payload: [String: JSONValue]) -> ByteBuffer {
        let data = JSONValue.object(payload).data
        return ByteBuffer(string: "id: \(id)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n")
    }
}
