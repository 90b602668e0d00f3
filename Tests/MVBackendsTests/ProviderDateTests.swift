import Foundation
import Testing

@testable import MVBackends

struct ProviderDateTests {
    @Test(arguments: [
        ("2023-09-08T16:19:34.765994Z", 1_694_189_974.765994),
        ("2024-10-04T18:07:37.245Z", 1_728_065_257.245),
        ("2024-02-21T12:54:18.5787610+00:00", 1_708_520_058.578761),
        ("2025-11-16T10:30:25.123456+00:00", 1_763_289_025.123456),
        ("2024-10-04T20:07:37.245+02:00", 1_728_065_257.245),
        ("2024-10-04T18:07:37Z", 1_728_065_257.0),
    ])
    func parsesVariants(text: String, epoch: Double) throws {
        let date = try #require(ProviderDate.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.000_01)
    }

    @Test(arguments: ["", "2024-10-04", "2024-10-04T18:07:37", "2024-13-04T18:07:37Z", "2024-02-30T00:00:00Z", "2024-10-04T18:07:37.Z", "garbage"])
    func rejectsInvalid(text: String) {
        #expect(ProviderDate.parse(text) == nil)
    }
}
