import Foundation
import HTTPTypes
import MVAuth
import MVBilling
import MVCore
import MVTestSupport
import PostgresNIO
import Synchronization
import Testing
@testable import MVService

/// The hot paths' shortcuts keep their meaning: coalesced job reads answer each viewer with exactly what a read of its
/// own would, the ready NOTIFY that left the admission transaction still wakes the workers, and the hand-written JSON
/// of a job is byte for byte the encoder's.
struct HotPathTests {
    /// Reads of many viewers in one statement: every reader gets its own jobs and nil for anyone else's, an unknown id
    /// is nil, and a burst shares statements (one statement at a time here, so they must).
    @Test func coalescedReadsAnswerEachViewerOnly() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            var accounts: [TestClient.Account] = []
            var jobs: [(id: UUID, owner: UUID)] = []
            for _ in 0..<3 {
                let account = try await client.register()
                try await client.grant(100, to: account.teamID, admin: admin)
                accounts.append(account)
                for index in 0..<2 {
                    let submit = try await client.submitVideo(
                        ["prompt": "a kite \(index)", "duration": 2, "backend": "mock"], token: account.accessToken)
                    #expect(submit.status == .accepted, "\(submit.text)")
                    let id = try #require((submit.json["id"] as? String).flatMap(UUID.init(uuidString:)))
                    jobs.append((id, try #require(UUID(uuidString: account.userID))))
                }
            }
            let viewers = try accounts.map { try #require(UUID(uuidString: $0.userID)) }
            let allJobs = jobs
            try await context.withPostgres { postgres in
                let batcher = JobReadBatcher(client: postgres, logger: TestCluster.logger, maxRunning: 1, maxBatch: 8)
                // Every (job, viewer) pair, twice, plus unknown ids, all at once.
                var reads: [(job: UUID, viewer: UUID, visible: Bool)] = []
                for _ in 0..<2 {
                    for job in allJobs {
                        for viewer in viewers { reads.append((job.id, viewer, job.owner == viewer)) }
                    }
                    for viewer in viewers { reads.append((UUID(), viewer, false)) }
                }
                let pending = reads
                let answers = try await withThrowingTaskGroup(of: (Int, JobRecord?).self) { group in
                    for (index, read) in pending.enumerated() {
                        group.addTask { (index, try await batcher.job(id: read.job, viewer: AssetViewer(userID: read.viewer))) }
                    }
                    return try await group.reduce(into: [Int: JobRecord?]()) { $0[$1.0] = $1.1 }
                }
                for (index, read) in pending.enumerated() {
                    let answer = answers[index] ?? nil
                    if read.visible {
                        #expect(answer?.id == read.job && answer?.userID == read.viewer, "read \(index) must see its own job")
                    } else {
                        #expect(answer == nil, "read \(index): job \(read.job) is not viewer \(read.viewer)'s")
                    }
                }
                #expect(batcher.statementCount < pending.count, "\(pending.count) concurrent reads in \(batcher.statementCount) statements")
                // A read on its own runs at once, in a statement of its own.
                let before = batcher.statementCount
                #expect(try await batcher.job(id: allJobs[0].id, viewer: AssetViewer(userID: allJobs[0].owner))?.id == allJobs[0].id)
                #expect(batcher.statementCount == before + 1)
            }
        }
    }

    /// Admission no longer NOTIFYs in its transaction: the ready notifier must still wake an idle worker at once. The
    /// worker's poll is a minute here, so only the wake-up can start the job within the wait.
    @Test func admissionWakesAnIdleWorker() async throws {
        try await withTestApp({ $0.jobs.pollInterval = .seconds(60) }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            // Let the worker make its first (empty) claim and start listening.
            try await Task.sleep(for: .seconds(1))
            let started = ContinuousClock.now
            let submit = try await client.request(
                .post, "/api/mv/generate_video", token: user.accessToken, json: ["prompt": "a heron", "duration": 2, "backend": "mock"],
                headers: ["Prefer": "wait=15"])
            #expect(submit.status == .ok, "finished within the wait: \(submit.text)")
            #expect(submit.json["status"] as? String == "succeeded")
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    /// Admission may start from a cached standing, because its one statement checks the standing again: a change
    /// the cache has not heard of (made here with the NOTIFY triggers off) is still refused, with the answer the exact
    /// standing gives, and nothing is written, not even the bucket token. A member whose standing holds is admitted.
    @Test(arguments: StaleStanding.allCases)
    func admissionRechecksACachedStanding(_ change: StaleStanding) async throws {
        try await withTestApp({ $0.auth.standingCacheTTL = .seconds(60) }) { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.teamID, admin: platform)
            let inTeam = ["X-MV-Team": crew.teamID]
            for account in [crew.member, crew.admin] {
                for _ in 0..<2 {
                    #expect(try await client.request(.get, "/api/me", token: account.accessToken, headers: inTeam).status == .ok)
                }
            }
            let member = crew.member.userID
            try await context.withPostgres { postgres in
                let logger = TestCluster.logger
                try await postgres.query("ALTER TABLE memberships DISABLE TRIGGER memberships_standing", logger: logger)
                try await postgres.query("ALTER TABLE users DISABLE TRIGGER users_standing", logger: logger)
                switch change {
                case .demoted:
                    try await postgres.query(
                        "UPDATE memberships SET role = 'viewer' WHERE user_id = \(member)::uuid AND team_id = \(crew.teamID)::uuid",
                        logger: logger)
                case .disabled:
                    try await postgres.query("UPDATE users SET disabled = true WHERE id = \(member)::uuid", logger: logger)
                case .removed:
                    try await postgres.query(
                        "DELETE FROM memberships WHERE user_id = \(member)::uuid AND team_id = \(crew.teamID)::uuid", logger: logger)
                }
                try await postgres.query("ALTER TABLE memberships ENABLE TRIGGER memberships_standing", logger: logger)
                try await postgres.query("ALTER TABLE users ENABLE TRIGGER users_standing", logger: logger)
            }
            let body: [String: Any] = ["prompt": "a moth", "duration": 2, "backend": "mock"]
            let refused = try await client.request(
                .post, "/api/mv/generate_video", token: crew.member.accessToken, json: body, headers: inTeam)
            #expect(refused.status == change.status, "\(change): \(refused.text)")
            #expect(try await context.countRows("SELECT count(*) FROM jobs WHERE user_id = \(member)::uuid") == 0)
            #expect(try await context.countRows("SELECT count(*) FROM rate_buckets WHERE key = \("generate:user:" + member)") == 0)
            #expect(try await context.countRows("SELECT count(*) FROM holds WHERE user_id = \(member)::uuid") == 0)
            let admitted = try await client.request(
                .post, "/api/mv/generate_video", token: crew.admin.accessToken, json: body, headers: inTeam)
            #expect(admitted.status == .accepted, "\(admitted.text)")
            // The bucket query above names a bucket that exists once its user is admitted (it can fail).
            let admin = crew.admin.userID
            #expect(try await context.countRows("SELECT count(*) FROM rate_buckets WHERE key = \("generate:user:" + admin)") == 1)
        }
    }

    /// A burst of ready signals sends few NOTIFYs, and a signal after the burst still sends one of its own.
    @Test func readySignalsCoalesceWithoutLosingOne() async throws {
        let database = try await TestCluster.shared.freshDatabase()
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: TestCluster.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            let received = TestCount()
            let listening = TestCount()
            group.addTask {
                try await client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        listening.add()
                        for try await _ in notifications { received.add() }
                    }
                }
            }
            while listening.value == 0 { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(200))
            let notifier = ReadyNotifier(client: client, logger: TestCluster.logger, minimumInterval: .milliseconds(50))
            for _ in 0..<100 { notifier.jobReady() }
            try await Task.sleep(for: .milliseconds(600))
            let burst = received.value
            #expect((1...2).contains(burst), "100 signals in a burst: \(burst) NOTIFYs")
            notifier.jobReady()
            let deadline = ContinuousClock.now + .seconds(5)
            while received.value == burst, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(received.value == burst + 1, "the signal after the burst sent its own NOTIFY")
            group.cancelAll()
        }
    }

    /// The hand-written JSON of a job is what `JSONCoding.encode` writes for it, for every shape a job takes.
    @Test(arguments: JobRecord.shapes)
    func jobJSONMatchesTheEncoder(_ record: JobRecord) throws {
        let response = JobResponse(record)
        let encoded = try JSONCoding.encode(response)
        #expect(String(decoding: response.jsonBytes, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
    }

    /// JSON values of every kind, as `JSONValue`'s encoder writes them.
    @Test func jsonValuesMatchTheEncoder() throws {
        let value = JSONValue.object([
            "b": .array([.number(1), .number(0.5), .number(-0.0), .number(1e-7), .number(123456789.125), .number(1e20), .null]),
            "A": .string("quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul-free é 雪 \u{2028}"),
            "a_b": .bool(true),
            "aB": .bool(false),
            "uuid": .string("7F0C3B8E-2D1A-4C5B-9E6F-0A1B2C3D4E5F"),
            "nested": .object(["z": .object([:]), "y": .array([])]),
        ])
        var writer = JSONWriter()
        writer.value(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: value.data, as: UTF8.self))
    }

    /// RFC 3339 output by arithmetic equals the calendar's, across leap days, centuries, the epoch and millisecond edges.
    @Test func rfc3339MatchesTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        func viaCalendar(_ date: Date) -> String {
            let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            let whole = Date(timeIntervalSince1970: Double((milliseconds - ((milliseconds % 1000) + 1000) % 1000) / 1000))
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
            let millis = ((milliseconds % 1000) + 1000) % 1000
            return String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%03ldZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, Int(millis))
        }
        var dates = [0, -0.001, 0.999, 951_782_400, 951_868_799.9995, 4_107_542_400, 1_709_164_800, -2_208_988_800, 253_402_300_799.999]
            .map(Date.init(timeIntervalSince1970:))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { dates.append(Date(timeIntervalSince1970: Double.random(in: -6e9...9e9, using: &generator))) }
        for date in dates {
            #expect(RFC3339.string(from: date) == viaCalendar(date), "\(date.timeIntervalSince1970)")
        }
    }

    /// The hand-written UUID form and parser agree with Foundation's: the same text (lowercased), the same UUID from
    /// either case, and nil for every malformed text Foundation refuses (and for one it accepts).
    @Test func uuidTextMatchesFoundation() {
        var ids = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for _ in 0..<2000 { ids.append(UUID()) }
        for id in ids {
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID(parsing: id.uuidString) == id)
            #expect(UUID(parsing: id.lowercased) == id)
            #expect(UUID(parsing: id.lowercased[...]) == id, "a substring parses too")
        }
        let id = ids[2].lowercased
        let malformed = ["", id.dropLast().description, id + "0", "{" + id.dropFirst().description, id.replacingOccurrences(of: "-", with: "_"),
                         "g" + id.dropFirst(), String(id.prefix(35)) + "G", id.replacingOccurrences(of: "-", with: "") + "0000",
                         id.prefix(8) + "0" + id.dropFirst(9)]
        for text in malformed {
            #expect(UUID(uuidString: text) == nil, "Foundation refuses \(text)")
            #expect(UUID(parsing: text) == nil, "\(text)")
        }
        // Stricter than Foundation, whose sscanf skips blanks before a field: a leading space and 35 characters is a
        // (different) UUID to it, and none to us.
        #expect(UUID(uuidString: " " + id.dropLast()) != nil)
        #expect(UUID(parsing: " " + id.dropLast()) == nil)
    }
}

/// A standing change the standing cache has not heard of, and the answer the exact standing gives to an admission.
enum StaleStanding: CaseIterable, Sendable {
    case demoted, disabled, removed

    var status: HTTPResponse.Status {
        switch self {
        case .demoted: .forbidden
        case .disabled: .unauthorized
        case .removed: .notFound
        }
    }
}

extension JobRecord {
    /// Jobs in every state a response shows: queued, running with progress, succeeded with a result and a provider,
    /// failed with an error.
    static var shapes: [JobRecord] {
        let created = Date(timeIntervalSince1970: 1_764_590_400.123)
        let base = JobRecord(
            id: UUID(), kind: .generateVideo, state: .queued, userID: UUID(), teamID: UUID(), projectID: nil, attempts: 0,
            maxAttempts: 3, progress: 0, stage: "queued", quoted: 12, held: 12, charged: 0, released: 0, result: nil,
            failure: nil, providerName: nil, providerModel: nil, createdAt: created, startedAt: nil, finishedAt: nil)
        var running = base
        running.state = .running
        running.progress = 0.3333333333333333
        running.stage = "polling \"provider\""
        running.attempts = 1
        running.startedAt = created.addingTimeInterval(1.5)
        var succeeded = running
        succeeded.state = .succeeded
        succeeded.progress = 1
        succeeded.stage = "done"
        succeeded.held = 0
        succeeded.charged = 10
        succeeded.released = 2
        succeeded.finishedAt = created.addingTimeInterval(61.25)
        succeeded.providerName = "mock"
        succeeded.providerModel = "mock-veo"
        succeeded.result = .object([
            "video_id": .string(UUID().uuidString), "duration_seconds": .number(4), "url": .string("/api/mv/videos/x/content"),
            "scenes": .array([.object(["index": .number(0), "prompt": .string("dawn\nover é")])]),
        ])
        var failed = running
        failed.state = .failed
        failed.held = 0
        failed.released = 12
        failed.finishedAt = created.addingTimeInterval(5)
        failed.failure = JobFailure(.workerLost, "The worker stopped responding.")
        return [base, running, succeeded, failed]
    }
}

/// A thread-safe count for tests.
final class TestCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
