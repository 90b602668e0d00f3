/// Refusals of project routes a caller can cause (rendered as problems by ``Problem/init(_:)-projects``): they leave
/// nothing behind.
enum ProjectError: Error, Sendable, Equatable {
    /// A render or re-roll of the project is queued or running (409 `project_busy`).
    case busy
    /// Every piece is rendered and the final cut exists: re-roll a scene instead (409 `project_rendered`).
    case alreadyRendered
    /// The project never got as far as its clips, so there is no scene to re-roll (409 `project_not_rendered`).
    case notRendered
    /// No scene with that index (404).
    case sceneNotFound(index: Int)
}
