import Foundation
import Logging
import MVBackends
import MVCore
import PostgresNIO

/// What the `project.rendered` event tells: handed to ``ProjectRenderer/rendered`` inside the transaction that
/// records the final cut.
struct RenderedProject: Sendable {
    var projectID: UUID
    var teamID: UUID
    var jobID: UUID
    var finalVideoID: UUID
}

/// Runs a project's render as stages: scenes → character reference → clips (in parallel, bounded per team by
/// ``ClipSlots``) → merge with the song. Each piece is made by the generation code the single routes use
/// (``ScenesJobHandler``, ``ImagesJobHandler``, ``VideoJobHandler``) and recorded with its capture in one fenced
/// transaction (``ProjectStore`` `+Render`); a rescued or re-run render starts from the stored state, so it resumes
/// at the first unfinished piece and pays for nothing twice. The final cut is recorded in the job's completing
/// transaction, where the rest of the hold is released.
struct ProjectRenderer: Sendable {
    let queue: JobQueue
    let store: ProjectStore
    let assets: AssetStore
    let media: any MediaStore
    let scenes: ScenesJobHandler
    let images: ImagesJobHandler
    let videos: VideoJobHandler
    let templates: PromptTemplates
    let slots: ClipSlots
    let merger: VideoMerger
    /// `project.rendered` webhook enqueued here: called in the transaction that records the final cut, so an
    /// outbox row written by it commits with the state change (the default does nothing).
    var rendered: @Sendable (PostgresConnection, RenderedProject) async throws -> Void = { _, _ in }

    /// The whole render of `spec` as job `job`.
    func render(_ spec: RenderJobSpec, job: ClaimedJob) async throws -> JobCompletion {
        let projectID = spec.projectId
        var state = try await loadState(projectID)
        // Scenes.
        if state.sceneSetID == nil {
            try await stage(.scenes, projectID, job) {
                try await store.startStage(.scenes, projectID: projectID, job: job, queue: queue)
                let request = try validated { () throws(ValidationError) in try spec.project.scenesSpec(projectID: projectID, templates: templates) }
                let made = try await scenes.write(
                    request, for: job, resume: state.stage(.scenes)?.providerCheckpoint,
                    observer: observer(job, projectID, .scenes, clip: nil, span: 0...0.1), fallbackCharge: spec.quote.scenes)
                try await store.finishScenes(
                    projectID: projectID, made: made, charge: min(made.charge, spec.quote.scenes), job: job, queue: queue)
            }
            state = try await loadState(projectID)
        } else {
            try await store.skipStage(.scenes, job: job, queue: queue)
        }
        // Character reference.
        if state.imageIDs.isEmpty {
            try await stage(.character, projectID, job) {
                try await store.startStage(.character, projectID: projectID, job: job, queue: queue)
                let request = try validated { () throws(ValidationError) in try spec.project.imageSpec(projectID: projectID, templates: templates) }
                let made = try await images.make(
                    request, for: job, resume: state.stage(.character)?.providerCheckpoint,
                    observer: observer(job, projectID, .character, clip: nil, span: 0.1...0.2), fallbackCharge: spec.quote.character)
                try await store.finishCharacter(
                    projectID: projectID, made: made, charge: min(made.charge, spec.quote.character), job: job, queue: queue)
            }
            state = try await loadState(projectID)
        } else {
            try await store.skipStage(.character, job: job, queue: queue)
        }
        // Clips.
        let script = try await sceneSet(state, job: job)
        if state.clips.allSatisfy({ $0.status == .succeeded }) {
            try await store.skipStage(.clips, job: job, queue: queue)
        } else {
            try await stage(.clips, projectID, job) {
                try await store.startStage(.clips, projectID: projectID, job: job, queue: queue)
                try await store.resetRunningClips(projectID: projectID, job: job, queue: queue)
                try? await queue.progress(job, fraction: 0.2, stage: ProjectStageName.clips.rawValue)
                let pending = state.clips.filter { $0.status != .succeeded }
                try await makeClips(pending, script: script, project: spec.project, state: state, cap: spec.quote.clip, job: job)
                try await store.finishStage(.clips, projectID: projectID, charge: 0, job: job, queue: queue) { _ in }
            }
            state = try await loadState(projectID)
        }
        return try await merge(spec.project, projectID: projectID, state: state, job: job)
    }

    /// A re-roll: clip `spec.index` made again (charged up to `spec.quote`, free when it is 0), then, when every clip
    /// is there, a new merge.
    func regenerate(_ spec: RegenerateJobSpec, job: ClaimedJob) async throws -> JobCompletion {
        let projectID = spec.projectId
        let state = try await loadState(projectID)
        let script = try await sceneSet(state, job: job)
        guard let clip = state.clip(spec.index) else {
            throw AttemptFailure(JobFailure(.invalidInput, "The project has no scene \(spec.index)."), retry: false)
        }
        if clip.status == .succeeded, clip.jobId == job.id {
            // An earlier attempt of this re-roll made the clip already (and paid for it): only the merge is left.
            try await store.skipStage(.clips, job: job, queue: queue)
        } else {
            try await stage(.clips, projectID, job) {
                try await store.startStage(.clips, projectID: projectID, job: job, queue: queue)
                try await makeClips([clip], script: script, project: spec.project, state: state, cap: spec.quote, job: job, keepPrevious: true)
                try await store.finishStage(.clips, projectID: projectID, charge: 0, job: job, queue: queue) { _ in }
            }
        }
        let after = try await loadState(projectID)
        guard after.clips.allSatisfy({ $0.status == .succeeded }) else {
            let result = JSONValue.object([
                "project_id": .string(projectID.lowercased), "index": .number(Double(spec.index)), "merged": .bool(false),
            ])
            return JobCompletion(result: result, provider: nil, model: nil, charge: 0, usage: nil) { _ in }
        }
        return try await merge(spec.project, projectID: projectID, state: after, job: job)
    }

    // MARK: Pieces

    /// Makes `clips` in parallel, each waiting for a slot of the team; every clip that finishes is recorded even
    /// when another fails. Throws the first failure after all have ended (retried only if every failure allows it).
    private func makeClips(
        _ clips: [ProjectRenderState.Clip], script: SceneSet, project: ProjectSpec, state: ProjectRenderState, cap: Int64,
        job: ClaimedJob, keepPrevious: Bool = false
    ) async throws {
        let projectID = state.projectID
        let total = max(script.scenes.count, 1)
        let failures = await withTaskGroup(of: (any Error)?.self) { group -> [any Error] in
            for clip in clips {
                group.addTask {
                    do {
                        try await makeClip(clip, script: script, project: project, state: state, cap: cap, job: job, keepPrevious: keepPrevious)
                        let done = try await loadState(projectID).clips.filter { $0.status == .succeeded }.count
                        try? await queue.progress(job, fraction: 0.2 + 0.7 * Double(done) / Double(total), stage: ProjectStageName.clips.rawValue)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var failures: [any Error] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        guard let first = failures.first else { return }
        if let stale = failures.first(where: { ($0 as? JobQueue.Failure) == .staleLease }) { throw stale }
        if let cancelled = failures.first(where: { $0 is CancellationError }) { throw cancelled }
        let attempts = failures.compactMap { $0 as? AttemptFailure }
        guard var failure = attempts.first else { throw first }
        failure.retry = attempts.allSatisfy(\.retry) && attempts.count == failures.count
        throw failure
    }

    private func makeClip(
        _ clip: ProjectRenderState.Clip, script: SceneSet, project: ProjectSpec, state: ProjectRenderState, cap: Int64,
        job: ClaimedJob, keepPrevious: Bool
    ) async throws {
        let projectID = state.projectID
        let index = clip.index
        try await slots.acquire(projectID: projectID, index: index, job: job)
        let scene = script.scenes.first { $0.index == index } ?? (script.scenes.indices.contains(index) ? script.scenes[index] : nil)
        do {
            let request = try validated { () throws(ValidationError) in
                try project.clipSpec(projectID: projectID, index: index, scene: scene, references: state.imageIDs)
            }
            let made = try await videos.render(
                request, for: job, resume: clip.providerCheckpoint, observer: observer(job, projectID, .clips, clip: index, span: 0.2...0.9),
                fallbackCharge: cap)
            try await store.finishClip(projectID: projectID, index: index, made: made, charge: min(made.charge, cap), job: job, queue: queue)
        } catch let failure as AttemptFailure {
            let status: PieceStatus = failure.failure.code == .contentBlocked ? .blocked : .failed
            try? await store.failClip(
                projectID: projectID, index: index, status: status, failure: failure.failure, keepPrevious: keepPrevious, job: job, queue: queue)
            throw failure
        }
    }

    /// The merge stage: every clip's file and the song (read again now: deleted inputs fail the render cleanly, the
    /// hold's rest released), merged with `fit: loop` so the cut is as long as the song; recorded at completion.
    private func merge(_ project: ProjectSpec, projectID: UUID, state: ProjectRenderState, job: ClaimedJob) async throws -> JobCompletion {
        try await stage(.merge, projectID, job) {
            try await store.startStage(.merge, projectID: projectID, job: job, queue: queue)
            try? await queue.progress(job, fraction: 0.9, stage: ProjectStageName.merge.rawValue)
            var inputs: [MergeInput] = []
            var clipIDs: [UUID] = []
            for clip in state.clips.sorted(by: { $0.index < $1.index }) {
                guard let id = clip.videoId, let video = try await assets.asset(id: id, kind: .video, viewer: job.viewer), let sha = video.sha256 else {
                    throw AttemptFailure(JobFailure(.invalidInput, "The clip of scene \(clip.index) is no longer available."), retry: false)
                }
                inputs.append(MergeInput(path: media.path(of: sha)))
                clipIDs.append(id)
            }
            var songPath: String?
            if let audioID = project.audioId {
                guard let song = try await assets.readableAudio(id: audioID, viewer: job.viewer), let sha = song.sha256 else {
                    throw AttemptFailure(JobFailure(.invalidInput, "The project's song \(audioID.lowercased) is no longer available."), retry: false)
                }
                songPath = media.path(of: sha)
            }
            let output = media.temporaryDirectory + "/render-\(job.id.lowercased)-\(UUID().uuidString.prefix(8)).mp4"
            let outcome: MergeOutcome
            do {
                outcome = try await merger.merge(
                    MergeSpec(clips: inputs, audio: songPath, transition: .none, fit: songPath == nil ? .none : .loop, output: output))
            } catch {
                // ffmpeg's detail names files; the job's error must not.
                try? FileManager.default.removeItem(atPath: output)
                throw AttemptFailure(JobFailure(.internalError, "The merge of the clips with the song failed."), retry: true)
            }
            let blob = try await media.ingest(temporaryFile: output, contentType: "video/mp4")
            let videoID = UUID()
            let metadata = JSONValue.object([
                "prompt": .string(project.title), "project_id": .string(projectID.lowercased),
                "clip_ids": .array(clipIDs.map { .string($0.lowercased) }),
                "audio_id": project.audioId.map { JSONValue.string($0.lowercased) } ?? JSONValue.null,
                "merge": try JSONValue.encoding(outcome), "duration_seconds": .number(outcome.durationSeconds),
            ])
            let video = AssetStore.NewAsset(
                id: videoID, kind: .video, ownerID: job.userID, teamID: job.teamID, jobID: job.id, projectID: projectID, blob: blob,
                title: String(project.title.prefix(120)), metadata: metadata)
            let result = JSONValue.object([
                "project_id": .string(projectID.lowercased), "final_video_id": .string(videoID.lowercased),
                "video_url": .string("/api/mv/videos/\(videoID.lowercased)/content"), "merge": try JSONValue.encoding(outcome),
                "clip_ids": .array(clipIDs.map { .string($0.lowercased) }),
            ])
            let store = self.store
            let queue = self.queue
            let rendered = self.rendered
            return JobCompletion(result: result, provider: nil, model: nil, charge: 0, usage: nil) { connection in
                try await store.finishMerge(projectID: projectID, video: video, job: job, queue: queue, on: connection)
                // project.rendered webhook enqueued here.
                try await rendered(connection, RenderedProject(projectID: projectID, teamID: job.teamID, jobID: job.id, finalVideoID: videoID))
            }
        }
    }

    // MARK: Helpers

    /// Runs one stage; a failure (not a lost lease or a cancel) marks the stage failed before it propagates.
    private func stage<T: Sendable>(
        _ name: ProjectStageName, _ projectID: UUID, _ job: ClaimedJob, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch {
            if !Task.isCancelled, !(error is CancellationError), (error as? JobQueue.Failure) != .staleLease {
                try? await store.failStage(name, projectID: projectID, job: job, queue: queue)
            }
            throw error
        }
    }

    private func loadState(_ projectID: UUID) async throws -> ProjectRenderState {
        guard let state = try await store.renderState(projectID) else {
            throw AttemptFailure(JobFailure(.invalidInput, "The project \(projectID.lowercased) is gone."), retry: false)
        }
        return state
    }

    private func sceneSet(_ state: ProjectRenderState, job: ClaimedJob) async throws -> SceneSet {
        guard let id = state.sceneSetID, let asset = try await assets.asset(id: id, kind: .sceneSet, viewer: job.viewer),
            let script = try? asset.metadata.decode(as: SceneSet.self)
        else {
            throw AttemptFailure(JobFailure(.invalidInput, "The project's scene script is no longer available."), retry: false)
        }
        return script
    }

    private func observer(_ job: ClaimedJob, _ projectID: UUID, _ stage: ProjectStageName, clip: Int?, span: ClosedRange<Double>) -> StageObserver {
        StageObserver(store: store, queue: queue, job: job, projectID: projectID, stage: stage, clip: clip, span: span)
    }

    /// A request built from the stored project that no longer validates (the templates changed): a final failure.
    private func validated<T>(_ build: () throws(ValidationError) -> T) throws(AttemptFailure) -> T {
        do {
            return try build()
        } catch {
            let fields = error.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
            throw AttemptFailure(JobFailure(.invalidInput, "The project's fields no longer validate: \(fields)."), retry: false)
        }
    }
}
