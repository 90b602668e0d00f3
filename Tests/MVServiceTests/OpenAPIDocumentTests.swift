import Foundation
import Testing
@testable import MVService

/// The OpenAPI document says what the service really answers: problems on every route that can answer them, the
/// bearer scheme, typed parameters, links from creating operations to the reads. (That it lists exactly the router's
/// routes: OpsTests; that the server keeps to it: `scripts/schemathesis.sh`.)
struct OpenAPIDocumentTests {
    private func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.json()) as? [String: Any])
    }

    private func operations(_ document: [String: Any]) throws -> [(String, [String: Any])] {
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        return paths.flatMap { path, operations in operations.map { ("\($0.key) \(path)", $0.value) } }
    }

    @Test func authenticatedRoutesDocumentBearerAnd401And429() throws {
        let document = try document()
        let components = try #require(document["components"] as? [String: Any])
        let bearer = try #require((components["securitySchemes"] as? [String: Any])?["bearer"] as? [String: String])
        #expect(bearer == ["type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "An access token from /api/auth/login"])
        var authenticated = 0
        for (name, operation) in try operations(document) {
            let responses = try #require(operation["responses"] as? [String: [String: Any]], "\(name)")
            let security = try #require(operation["security"] as? [[String: [String]]], "\(name)")
            guard !security.isEmpty else { continue }
            authenticated += 1
            for status in ["401", "404", "429"] {
                let content = responses[status]?["content"] as? [String: Any]
                #expect(content?["application/problem+json"] != nil, "\(name) lacks a \(status) problem")
            }
        }
        #expect(authenticated > 30)
    }

    @Test func jsonBodiesDocumentTheirRefusals() throws {
        var bodies = 0
        for (name, operation) in try operations(try document()) where operation["requestBody"] != nil {
            bodies += 1
            let responses = try #require(operation["responses"] as? [String: Any])
            for status in ["400", "413", "415", "422"] { #expect(responses[status] != nil, "\(name) lacks \(status)") }
        }
        #expect(bodies >= 14)
    }

    @Test func pathParametersAreUUIDsAndListsHaveLimits() throws {
        for (name, operation) in try operations(try document()) {
            let parameters = operation["parameters"] as? [[String: Any]] ?? []
            for parameter in parameters where parameter["in"] as? String == "path" {
                // The exceptions: a share link's token (its pattern is checked by the share-link tests)...
                if parameter["name"] as? String == "token" {
                    #expect(name.hasSuffix(" /s/{token}") && (parameter["schema"] as? [String: String])?["pattern"] != nil, "\(name)")
                    continue
                }
                // The other: a project's 0-based scene index.
                if parameter["name"] as? String == "index" {
                    let schema = parameter["schema"] as? [String: Any]
                    #expect(name.hasSuffix("/scenes/{index}/regenerate") && schema?["type"] as? String == "integer" && schema?["minimum"] as? Int == 0, "\(name)")
                    continue
                }
                #expect((parameter["schema"] as? [String: String])?["format"] == "uuid", "\(name)")
            }
            if let limit = parameters.first(where: { $0["name"] as? String == "limit" }) {
                let schema = try #require(limit["schema"] as? [String: Any])
                #expect(schema["minimum"] as? Int == 1 && schema["maximum"] as? Int == 100, "\(name)")
            }
        }
    }

    @Test func creatingOperationsLinkToTheirReads() throws {
        let document = try document()
        let all = try operations(document)
        let ids = Set(all.compactMap { $0.1["operationId"] as? String })
        #expect(ids.count == all.count, "operation ids are unique")
        func link(_ operation: String, _ status: String, _ name: String) -> [String: Any]? {
            let responses = all.first { $0.0 == operation }?.1["responses"] as? [String: [String: Any]]
            return (responses?[status]?["links"] as? [String: [String: Any]])?[name]
        }
        let getJob = try #require(link("post /api/mv/generate_video", "202", "GetJob"))
        #expect(getJob["operationId"] as? String == "getJob")
        #expect(getJob["parameters"] as? [String: String] == ["id": "$response.body#/id"])
        let getTeam = try #require(link("post /api/teams", "201", "GetTeam"))
        #expect(getTeam["operationId"] as? String == "getTeam")
        for (name, operation) in all {
            for response in (operation["responses"] as? [String: [String: Any]] ?? [:]).values {
                for link in (response["links"] as? [String: [String: Any]] ?? [:]).values {
                    #expect(ids.contains(link["operationId"] as? String ?? ""), "\(name) links to an unknown operation")
                }
            }
        }
    }

    @Test func schemasCarryTheValidatorsConstraints() throws {
        let components = try #require(try document()["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: [String: Any]])
        let problem = try #require(schemas["Problem"]?["properties"] as? [String: Any])
        for member in ["type", "title", "status", "detail", "code", "request_id", "errors"] { #expect(problem[member] != nil, "Problem.\(member)") }
        let video = try #require(schemas["GenerateVideoInput"]?["properties"] as? [String: [String: Any]])
        #expect(video["prompt"]?["maxLength"] as? Int == 4000)
        #expect(video["reference_image_ids"]?["maxItems"] as? Int == 3)
        #expect(video["seed"]?["maximum"] as? Int64 == Int64(UInt32.max))
        let register = try #require(schemas["RegisterInput"]?["properties"] as? [String: [String: Any]])
        #expect(register["email"]?["format"] as? String == "email")
        #expect(register["password"]?["minLength"] as? Int == 8 && register["password"]?["maxLength"] as? Int == 128)
        let team = try #require(schemas["TeamInput"]?["properties"] as? [String: [String: Any]])
        #expect((team["time_zone"]?["enum"] as? [Any])?.contains { $0 as? String == "Europe/Berlin" } == true)
    }
}
