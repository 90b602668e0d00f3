import Foundation
import MVCore
import Testing

/// The shortcut of ``StringProtocol/trimmingWhitespaceAndNewlines()`` gives Foundation's answer for every text.
struct TrimmingTests {
    /// Every whitespace and newline scalar Foundation knows, at either end, alone, doubled and inside, with combining
    /// marks and non-BMP characters around them; substrings too.
    @Test func trimmingMatchesFoundation() {
        let blanks: [String] = (0...0x3000).compactMap { UnicodeScalar($0) }
            .filter { CharacterSet.whitespacesAndNewlines.contains($0) }.map { String($0) }
        #expect(blanks.count > 20, "the set has its usual members")
        let words = ["a", "雪", "🎬", "e\u{301}", "\u{301}", "x y", "\r\n", "-", ""]
        var texts: [String] = ["", " ", "\n", "\r\n", "plain", "  both  "]
        for blank in blanks {
            for word in words {
                texts += [blank + word, word + blank, blank + word + blank, word + blank + word, blank + blank + word, word]
            }
        }
        var generator = SystemRandomNumberGenerator()
        let pool = blanks + words
        for _ in 0..<2000 {
            texts.append((0..<Int.random(in: 0...6, using: &generator)).map { _ in pool.randomElement(using: &generator) ?? "" }.joined())
        }
        for text in texts {
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(Array(text.unicodeScalars))")
            let inner = text.dropFirst()
            #expect(inner.trimmingWhitespaceAndNewlines() == inner.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
