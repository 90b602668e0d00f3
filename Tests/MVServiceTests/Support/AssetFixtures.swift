import Foundation
import MVCore
import MVTestSupport
import PostgresNIO
@testable import MVService

extension TestContext {
    /// Inserts a live asset straight through ``AssetStore`` (cheaper than running a job): `bytes` become its blob in
    /// the app's media store. Returns its id.
    @discardableResult
    func insertAsset(
        owner: String, team: String, kind: AssetKind = .video, title: String = "clip", prompt: String = "a paper boat",
        tags: [String] = [], bytes: [UInt8]? = Array("fake mp4 bytes 0123456789".utf8)
    ) async throws -> UUID {
        let media = try LocalMediaStore(root: config.dataDirectory + "/media")
        var blob: StoredBlob?
        if let bytes {
            let path = media.temporaryDirectory + "/" + UUID().uuidString
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            blob = try await media.ingest(temporaryFile: path, contentType: kind == .video ? "video/mp4" : "image/png")
        }
        let id = UUID()
        let asset = AssetStore.NewAsset(
            id: id, kind: kind, ownerID: try uuid(owner), teamID: try uuid(team), jobID: nil, projectID: nil,
            blob: kind == .sceneSet ? nil : blob, title: title, metadata: .object(["prompt": .string(prompt)]))
        try await withPostgres { postgres in
            let store = AssetStore(client: postgres, media: media, logger: TestCluster.logger)
            try await postgres.withConnection { connection in try await store.insert(asset, on: connection) }
            if !tags.isEmpty {
                try await postgres.query("UPDATE assets SET tags = \(tags) WHERE id = \(id)", logger: TestCluster.logger)
            }
        }
        return id
    }

    /// Runs one statement against the test database.
    func execute(_ query: PostgresQuery) async throws {
        try await withPostgres { postgres in _ = try await postgres.query(query, logger: TestCluster.logger) }
    }

    private func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw TestFailure("not a UUID: \(text)") }
        return id
    }
}
