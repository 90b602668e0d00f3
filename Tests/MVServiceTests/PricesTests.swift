import Foundation
import HTTPTypes
import MVBilling
import Testing
@testable import MVService

/// `GET /api/billing/prices` shows the price table in force, the same numbers quotes are computed from.
struct PricesTests {
    @Test func pricesListEveryConfiguredModelWithItsUnit() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let reply = try await client.request(.get, "/api/billing/prices", token: user.accessToken)
            #expect(reply.status == .ok)
            let items = try #require(reply.json["items"] as? [[String: Any]])
            let prices = context.config.prices
            #expect(items.count == prices.video.count + prices.image.count + prices.scenes.count + (prices.mergePerStartedMinute > 0 ? 1 : 0))
            let merge = try #require(items.first { $0["capability"] as? String == "merge" })
            #expect(merge["model"] as? String == "ffmpeg" && merge["unit"] as? String == "started_minute")
            #expect(merge["credits_per_unit"] as? Int == Int(prices.mergePerStartedMinute))
            for (model, credits) in prices.video {
                let item = try #require(items.first { $0["capability"] as? String == "video" && $0["model"] as? String == model })
                #expect(item["unit"] as? String == "second" && item["credits_per_unit"] as? Int == Int(credits), "\(item)")
            }
            for (model, price) in prices.scenes {
                let item = try #require(items.first { $0["capability"] as? String == "scenes" && $0["model"] as? String == model })
                #expect(item["unit"] as? String == "1k_tokens" && item["hold_credits"] as? Int == Int(price.hold), "\(item)")
            }

            // The quote for a mock clip is the listed price times the seconds.
            let mock = try #require(items.first { $0["capability"] as? String == "video" && $0["model"] as? String == "mock-video" })
            let quote = try await client.request(
                .post, "/api/mv/quote", token: user.accessToken, json: ["kind": "generate_video", "prompt": "x", "duration": 3, "backend": "mock"])
            #expect(quote.json["credits"] as? Int == 3 * (mock["credits_per_unit"] as? Int ?? -1), "\(quote.json)")

            let anonymous = try await client.request(.get, "/api/billing/prices")
            #expect(anonymous.status == .unauthorized)
        }
    }
}
