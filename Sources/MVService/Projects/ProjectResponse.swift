import Foundation
import Hummingbird
import MVAuth
import MVBackends
import MVCore

/// A project as the API shows it (`GET /api/mv/projects/{id}`): its fields, status, every stage with times and
/// credits, the scene set, images, clips, the final cut, re-rolls, and what it cost so far.
struct ProjectResponse: ResponseEncodable, Sendable {
    /// One stage of the latest render.
    struct Stage: Codable, Sendable {
        var name: ProjectStageName
        var status: PieceStatus
        var startedAt: Date?
        var finishedAt: Date?
        var credits: Int64
    }
    /// One scene's clip.
    struct Clip: Codable, Sendable {
        var index: Int
        var videoId: UUID?
        var status: PieceStatus
        var credits: Int64
    }
    /// One re-roll of a clip.
    struct Reroll: Codable, Sendable {
        var index: Int
        var jobId: UUID
        var status: JobState
        var charged: Int64
        var free: Bool
        var freeReason: String?
        var createdAt: Date
    }

    var id: UUID
    var title: String
    var tags: [String]
    var ownerId: UUID
    var teamId: UUID
    var permission: AssetPermission
    var createdAt: Date
    var idea: String
    var characterDescription: String
    var audioId: UUID?
    var director: String?
    var numberOfScenes: Int
    var aspectRatio: String
    var clipDuration: Int
    var backend: String
    var status: String
    var renderJobId: UUID?
    var stages: [Stage]
    var sceneSetId: UUID?
    var imageIds: [UUID]
    var clips: [Clip]
    var finalVideoId: UUID?
    var finalVideoUrl: String?
    var rerolls: [Reroll]
    var cost: JobResponse.Cost

    init(
        asset: AssetStore.Asset, spec: ProjectSpec, state: ProjectRenderState, rerolls: [Reroll], cost: JobResponse.Cost
    ) {
        id = asset.id
        title = asset.title ?? spec.title
        tags = asset.tags
        ownerId = asset.ownerID
        teamId = asset.teamID
        permission = asset.permission
        createdAt = asset.createdAt
        idea = spec.idea
        characterDescription = spec.characterDescription
        audioId = spec.audioId
        director = spec.director
        numberOfScenes = spec.numberOfScenes
        aspectRatio = spec.aspectRatio
        clipDuration = spec.clipDuration
        backend = spec.backend.rawValue
        status = state.status
        renderJobId = state.renderJobID
        stages = ProjectStageName.allCases.map { name in
            guard let row = state.stage(name) else { return Stage(name: name, status: .pending, credits: 0) }
            return Stage(name: name, status: row.status, startedAt: row.startedAt, finishedAt: row.finishedAt, credits: row.credits)
        }
        sceneSetId = state.sceneSetID
        imageIds = state.imageIDs
        clips = state.clips.map { Clip(index: $0.index, videoId: $0.videoId, status: $0.status, credits: $0.credits) }
        finalVideoId = state.finalVideoID
        finalVideoUrl = state.finalVideoID.map { "/api/mv/videos/\($0.lowercased)/content" }
        self.rerolls = rerolls
        self.cost = cost
    }
}
