import Foundation
import HTTPTypes
import Logging
import MVAuth
import MVCore
import MVFakeProviders
import MVTestSupport
import PostgresNIO
import Synchronization
import Testing
@testable import MVService

/// The SSRF guard: registration refuses non-https URLs and hosts that are (or resolve to) private, loopback, link-local
/// or reserved addresses (422 naming `url`, nothing stored); delivery checks again, connects only to the address it
/// checked, and refuses a host whose DNS answer changed to a private address (rebinding).
struct WebhookSSRFTests {
    static let forbiddenURLs = [
        "http://example.com/hook",  // plain http to a host not in webhooks.allowed_hosts
        "https://10.1.2.3/hook", "https://172.16.0.1/hook", "https://172.31.255.255/hook", "https://192.168.1.1/hook",
        "https://127.0.0.2/hook", "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/hook", "https://0.0.0.0/hook",
        "https://[::1]/hook", "https://[fc00::1]/hook", "https://[fd12:3456::1]/hook", "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://[::ffff:169.254.169.254]/hook",
        "https://localhost/hook",  // a name that resolves to loopback
        "https://user:password@example.com/hook", "ftp://example.com/hook", "https://exa mple.com/", "https://%31%30.0.0.1/",
    ]

    @Test func registrationRefusesForbiddenTargets() async throws {
        try await withTestApp { client, context in
            let owner = try await client.register()
            let (id, _) = try await WebhookFixtures.register(
                client, team: owner.teamID, as: owner, url: "http://127.0.0.1:9/ok", events: ["job.failed"])
            let endpointID = try #require(UUID(uuidString: id))
            for url in Self.forbiddenURLs {
                let reply = try await client.request(
                    .post, "/api/teams/\(owner.teamID)/webhooks", token: owner.accessToken, json: ["url": url, "events": ["job.failed"]])
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", url)
                #expect(reply.problemFields == ["url"], "\(url): \(reply.text)")
                // The same URL through PATCH leaves the endpoint as it was.
                let patched = try await client.request(
                    .patch, "/api/teams/\(owner.teamID)/webhooks/\(id)", token: owner.accessToken, json: ["url": url])
                expectProblemReply(patched, .unprocessableContent, code: "validation_failed", "PATCH \(url)")
            }
            #expect(try await context.countRows("SELECT count(*) FROM webhook_endpoints") == 1, "nothing stored")
            #expect(try await context.scalar("SELECT url FROM webhook_endpoints WHERE id = \(endpointID)", as: String.self) == "http://127.0.0.1:9/ok")
        }
    }

    @Test func addressClassification() {
        let forbidden = [
            "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "127.0.0.1", "127.255.0.1", "169.254.0.1", "169.254.169.254",
            "172.16.0.1", "172.31.255.254", "192.168.0.1", "100.64.0.1", "100.127.255.254", "224.0.0.1", "255.255.255.255",
            "192.0.2.1", "198.18.0.1", "::", "::1", "fc00::1", "fdff::1", "fe80::1", "febf::1", "ff02::1", "::ffff:10.0.0.1",
            "::ffff:127.0.0.1", "::ffff:192.168.1.1", "::10.0.0.1", "64:ff9b::a00:1", "2002:0a00:0001::1", "2001:db8::1",
        ]
        for text in forbidden {
            let address = IPAddress(text)
            #expect(address != nil && address?.isPublic == false, "\(text) must not be public")
        }
        let allowed = [
            "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1", "192.169.0.1",
            "2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "64:ff9b::808:808",
        ]
        for text in allowed {
            #expect(IPAddress(text)?.isPublic == true, "\(text) is public")
        }
        #expect(IPAddress("example.com") == nil && IPAddress("[::1]")?.isPublic == false)
        #expect(IPAddress("::ffff:10.0.0.1")?.description == "::ffff:10.0.0.1")
    }

    /// A resolver whose answers the test changes: public at registration, private at delivery.
    final class SwitchingResolver: HostResolver, Sendable {
        let answer: Synchronization.Mutex<[IPAddress]>
        init(_ addresses: [IPAddress]) { answer = Synchronization.Mutex(addresses) }
        func set(_ addresses: [IPAddress]) { answer.withLock { $0 = addresses } }
        func addresses(of host: String) async throws -> [IPAddress] { answer.withLock { $0 } }
    }

    @Test func deliveryRechecksTheAddressAndRefusesARebind() async throws {
        let receiver = try await FakeWebhookReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp({ config in
            config.runWorkers = false
        }) { client, context in
            let user = try await client.register()
            let team = try #require(UUID(uuidString: user.teamID))
            let userID = try #require(UUID(uuidString: user.userID))
            let config = context.config
            let resolver = SwitchingResolver([try #require(IPAddress("93.184.216.34"))])
            let policy = WebhookURLPolicy(allowedHosts: [], resolver: resolver)
            let url = "https://hooks.example.test:\(receiver.url.split(separator: ":").last ?? "")"
            try await policy.check(url)  // what registration saw: a public address
            try await context.withPostgres { postgres in
                let serverSecret = try await ServerSecret.load(
                    configured: config.auth.serverSecret, path: config.dataDirectory + "/keys/server-secret")
                let store = WebhookStore(client: postgres, secret: serverSecret, logger: TestCluster.logger)
                let (endpoint, _) = try await store.create(
                    teamID: team, url: url, events: [.creditsLow], description: nil, createdBy: userID)
                resolver.set([try #require(IPAddress("127.0.0.1"))])  // the name now points inside
                try await postgres.withConnection { connection in
                    try await WebhookOutbox.enqueue(.creditsLow, teamID: team, payload: .object([:]), on: connection)
                }
                var settings = config.webhooks
                settings.allowedHosts = []
                var logger = Logger(label: "mvtest.rebind")
                logger.logLevel = .warning
                let dispatcher = WebhookDispatcher(
                    queue: WebhookDeliveryQueue(client: postgres, logger: logger), postgres: postgres,
                    sender: WebhookSender(policy: policy, timeout: settings.timeout, logger: logger), secret: serverSecret,
                    settings: settings, logger: logger)
                let running = Task { try? await dispatcher.run() }
                let attempted = try await pollCondition {
                    try await context.countRows("SELECT count(*) FROM webhook_attempts") >= 1
                }
                running.cancel()
                _ = await running.value
                #expect(attempted)
                let error = try await context.scalar(
                    "SELECT error FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = \(endpoint.id) ORDER BY attempt LIMIT 1",
                    as: String.self)
                #expect(error?.contains("resolves to a private") == true, "\(error ?? "nil")")
                #expect(
                    try await context.countRows("SELECT count(*) FROM webhook_attempts WHERE response_code IS NOT NULL OR succeeded") == 0)
            }
            #expect(receiver.received.isEmpty, "nothing reached the rebound address")
        }
    }
}
