import Foundation
import HTTPTypes
import MVBackends
import MVCore
import PostgresNIO
import Testing
@testable import MVService

/// The JSON conventions every body follows: lowercase UUIDs out (either case in), RFC 3339 times in any form a client
/// sends and out in UTC with milliseconds, and a failed job's stored failure as a typed domain value.
struct JSONConventionsTests {
    @Test(arguments: [
        ("2026-12-01T10:00:00Z", 1_796_119_200.0),
        ("2026-12-01T10:00:00.123Z", 1_796_119_200.123),
        ("2026-12-01T10:00:00.123456789Z", 1_796_119_200.123456789),
        ("2026-12-01T12:00:00+02:00", 1_796_119_200.0),
        ("2026-12-01T05:30:00.5-04:30", 1_796_119_200.5),
        ("2026-12-01t10:00:00z", 1_796_119_200.0),
        ("2026-12-01 10:00:00Z", 1_796_119_200.0),
    ])
    func rfc3339InputForms(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.date(from: text), "\(text)")
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_5, "\(text)")
    }

    @Test(arguments: ["2026-12-01", "2026-12-01T10:00:00", "2026-02-30T10:00:00Z", "2026-12-01T25:00:00Z", "2026-12-01T10:00:00.Z", "yesterday", ""])
    func rfc3339RejectsWhatIsNotATime(text: String) {
        #expect(RFC3339.date(from: text) == nil, "\(text)")
    }

    @Test func rfc3339OutputIsUTCWithMilliseconds() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_796_119_200.1239)) == "2026-12-01T10:00:00.123Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    @Test func uuidStringsAreLowercasedOnlyWhereTheyAreWholeValues() {
        var data = Data(#"{"a":"9A3B1C2D-0000-4ABC-8DEF-0123456789AB","b":"see 9A3B1C2D-0000-4ABC-8DEF-0123456789AB","c":"Name"}"#.utf8)
        JSONCoding.lowercaseUUIDs(in: &data)
        #expect(String(decoding: data, as: UTF8.self)
            == #"{"a":"9a3b1c2d-0000-4abc-8def-0123456789ab","b":"see 9A3B1C2D-0000-4ABC-8DEF-0123456789AB","c":"Name"}"#)
    }

    @Test func jobsSpeakLowercaseUUIDsAndMillisecondTimes() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            #expect(user.userID == user.userID.lowercased() && user.teamID == user.teamID.lowercased())

            let submit = try await client.submitVideo(["prompt": "conventions", "duration": 2, "backend": "mock"], token: user.accessToken)
            let id = try #require(submit.json["id"] as? String)
            #expect(id == id.lowercased() && UUID(uuidString: id) != nil)
            #expect(submit.header("Location") == "/api/jobs/\(id)")
            let created = try #require(submit.json["created_at"] as? String)
            #expect(created.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(created)")

            // Input accepts either case, and any RFC 3339 form a browser sends.
            let upper = try await client.request(.get, "/api/jobs/\(id.uppercased())", token: user.accessToken)
            #expect(upper.status == .ok && upper.json["id"] as? String == id)
            let since = try await client.request(.get, "/api/jobs?created_after=2020-01-01T00:00:00.000%2B02:00", token: user.accessToken)
            #expect(since.status == .ok, "\(since.text)")
            #expect((since.json["items"] as? [[String: Any]])?.count == 1)
            let bad = try await client.request(.get, "/api/jobs?created_after=2020-01-01", token: user.accessToken)
            #expect(bad.status == .unprocessableContent)
            _ = try await client.waitForJob(id, token: user.accessToken)
        }
    }

    @Test func aFailedJobStoresADomainFailureAndShowsAProblem() async throws {
        try await withTestApp({ config in
            config.backends.mock.failureRate = 1
            config.jobs.maxAttempts = 1
        }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "doomed", "duration": 2, "backend": "mock"], token: user.accessToken)
            let id = try #require(submit.json["id"] as? String)
            let job = try await client.waitForJob(id, token: user.accessToken)
            let error = try #require(job["error"] as? [String: Any])
            #expect(error["code"] as? String == "mock_failure" && error["retryable"] as? Bool == true, "\(error)")
            #expect(error["status"] as? Int == 502 && error["type"] as? String == "/problems/mock_failure", "\(error)")

            // Stored without any HTTP: code, message, retry advice.
            let uuid = try #require(UUID(uuidString: id))
            let stored = try #require(try await context.scalar("SELECT error::text FROM jobs WHERE id = \(uuid)", as: String.self))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
            #expect(Set(object.keys).isSuperset(of: ["code", "message", "retryable"]), "\(stored)")
            #expect(Set(object.keys).isSubset(of: ["code", "message", "retryable", "failovers"]), "no HTTP in storage: \(stored)")
        }
    }
}
