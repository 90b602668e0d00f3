import Foundation
import HTTPTypes
import MVBackends
import Testing
@testable import MVService

/// `GET /api/jobs/{id}/events`: an SSE stream that ends after `done`, owner only, resumable with Last-Event-ID.
struct JobEventsTests {
    struct Event {
        var id: String?
        var name: String?
        var data: String
    }

    static func parse(_ text: String) -> [Event] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event = Event(id: nil, name: nil, data: "")
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { event.data += line.dropFirst(6) }
            }
            return event.name == nil ? nil : event
        }
    }

    @Test func streamReportsStatusAndProgressAndEndsWithDone() async throws {
        try await withTestApp({ $0.backends.mock.delayMin = 0.5; $0.backends.mock.delayMax = 0.5 }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let other = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "streamed", "duration": 1, "backend": "mock"], token: user.accessToken)
            let id = try #require(submit.json["id"] as? String)

            let stream = try await client.request(.get, "/api/jobs/\(id)/events", token: user.accessToken)
            #expect(stream.status == .ok)
            #expect(stream.header("Content-Type") == "text/event-stream")
            let events = Self.parse(stream.text)
            #expect(events.first?.name == "status")
            #expect(events.contains { $0.name == "progress" })
            let done = try #require(events.last)
            #expect(done.name == "done")
            let job = try #require(try JSONSerialization.jsonObject(with: Data(done.data.utf8)) as? [String: Any])
            #expect(job["status"] as? String == "succeeded")
            #expect(events.filter { $0.name == "done" }.count == 1)

            // Reconnecting with the last id replays nothing but the final `done`.
            let resumed = try await client.request(
                .get, "/api/jobs/\(id)/events", token: user.accessToken, headers: ["Last-Event-ID": try #require(done.id)])
            #expect(Self.parse(resumed.text).map(\.name) == ["done"])

            let foreign = try await client.request(.get, "/api/jobs/\(id)/events", token: other.accessToken)
            #expect(foreign.status == .notFound)
            #expect(foreign.json["code"] as? String == "not_found")
        }
    }
}
