/// Runs `render_project` jobs: the whole pipeline of one project (``ProjectRenderer/render(_:job:)``).
struct RenderProjectHandler: JobHandler {
    let renderer: ProjectRenderer

    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion {
        try await renderer.render(try job.spec(RenderJobSpec.self), job: job)
    }
}

/// Runs `regenerate_scene` jobs: one clip made again, then a new merge (``ProjectRenderer/regenerate(_:job:)``).
struct RegenerateSceneHandler: JobHandler {
    let renderer: ProjectRenderer

    func run(_ job: ClaimedJob, session: JobSession) async throws -> JobCompletion {
        try await renderer.regenerate(try job.spec(RegenerateJobSpec.self), job: job)
    }
}
