import Foundation

/// `CharacterSet.whitespacesAndNewlines`, built once.
private let whitespacesAndNewlines = CharacterSet.whitespacesAndNewlines

extension StringProtocol {
    /// Exactly `trimmingCharacters(in: .whitespacesAndNewlines)`, without Foundation's round trip through `NSString`
    /// when neither end is whitespace (nearly every text a request sends): trimming only ever removes characters at
    /// the ends, so then there is nothing to remove. That round trip was the largest part of validating an admission.
    public func trimmingWhitespaceAndNewlines() -> String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return "" }
        if !whitespacesAndNewlines.contains(first), !whitespacesAndNewlines.contains(last) { return String(self) }
        return trimmingCharacters(in: whitespacesAndNewlines)
    }
}
