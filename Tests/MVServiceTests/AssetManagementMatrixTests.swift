import Foundation
import HTTPTypes
import MVAuth
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// PATCH, DELETE and restore are the same for every asset kind (``AssetManagement``): the BOLA matrix of
/// ``AssetAccessMatrixTests`` for images and scene sets, plus delete → gone for everyone → restore.
struct AssetManagementMatrixTests {
    static func shared(_ kind: AssetKind, _ client: TestClient, _ context: TestContext, _ cast: AssetAccessMatrixTests.Cast) async throws -> String {
        let id = try await context.insertAsset(owner: cast.crew.member.userID, team: cast.crew.teamID, kind: kind).lowercased
        let put = try await client.request(.put, "/api/mv/assets/\(id)/acl", token: cast.crew.member.accessToken, json: ["grants": cast.grants])
        #expect(put.status == .ok, "\(put.text)")
        return id
    }

    @Test(arguments: [(AssetKind.image, "images"), (.sceneSet, "scene_sets"), (.video, "videos"), (.upload, "uploads")])
    func everyKindChangesUnderTheSameRule(kind: AssetKind, collection: String) async throws {
        try await withTestApp { client, context in
            let cast = try await AssetAccessMatrixTests.cast(client)
            let callers: [(String, TestClient.Account?)] = [
                ("owner", cast.crew.member), ("team owner", cast.crew.owner), ("team admin", cast.crew.admin),
                ("member without grant", cast.plainMember), ("team viewer", cast.crew.viewer), ("other team", cast.crew.outsider),
                ("user view grantee", cast.userView), ("user edit grantee", cast.userEdit), ("member of grantee team", cast.teamMember),
                ("anonymous", nil),
            ]
            let read: [HTTPResponse.Status] = [.ok, .ok, .ok, .notFound, .notFound, .notFound, .ok, .ok, .ok, .unauthorized]
            let change: [HTTPResponse.Status] = [.ok, .ok, .ok, .notFound, .notFound, .notFound, .forbidden, .ok, .ok, .unauthorized]
            var mismatches: [String] = []
            for ((name, account), (readStatus, changeStatus)) in zip(callers, zip(read, change)) {
                let token = account?.accessToken
                let id = try await Self.shared(kind, client, context, cast)
                let path = "/api/mv/\(collection)/\(id)"
                func expect(_ what: String, _ reply: TestClient.Reply, _ status: HTTPResponse.Status) {
                    if reply.status != status { mismatches.append("\(what) \(collection) as \(name): \(reply.status.code), expected \(status.code)") }
                }
                expect("GET", try await client.request(.get, path, token: token), readStatus)
                expect("PATCH", try await client.request(.patch, path, token: token, json: ["title": "renamed", "tags": ["x"]]), changeStatus)
                let deleteStatus: HTTPResponse.Status = changeStatus == .ok ? .noContent : changeStatus
                let delete = try await client.request(.delete, path, token: token)
                expect("DELETE", delete, deleteStatus)
                if delete.status != .noContent {
                    #expect(try await client.request(.delete, path, token: cast.crew.member.accessToken).status == .noContent)
                }
                // Gone for everyone at once, the owner included; restore follows the change rule.
                expect("GET after delete", try await client.request(.get, path, token: cast.crew.member.accessToken), .notFound)
                expect("restore", try await client.request(.post, path + "/restore", token: token), changeStatus)
                if changeStatus != .ok {
                    #expect(try await client.request(.post, path + "/restore", token: cast.crew.member.accessToken).status == .ok)
                }
                expect("GET after restore", try await client.request(.get, path, token: cast.crew.member.accessToken), .ok)
                expect("restore again", try await client.request(.post, path + "/restore", token: cast.crew.member.accessToken), .conflict)
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            let renamed = try await context.scalar(
                "SELECT count(*)::int FROM assets WHERE kind = \(kind.rawValue) AND title = 'renamed' AND tags = '{x}'", as: Int.self)
            #expect(renamed == 5, "owner, team owner, team admin, edit grantee, member of the grantee team")
        }
    }
}
