import Foundation

/// Parses the ISO-8601 timestamps providers send: any number of fractional-second digits
/// (Replicate uses 3, 6 and 7), and `Z` or a `±hh:mm` / `±hhmm` offset.
public enum ProviderDate {
    /// Parses a timestamp such as `2024-10-04T18:07:37.245Z` or `2024-02-21T12:54:18.5787610+00:00`.
    /// - Parameter text: The timestamp.
    /// - Returns: The date, or `nil` when it is not a valid timestamp.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= chars.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let c = chars[index]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < chars.count, chars[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        guard index < chars.count, chars[index] == 84 || chars[index] == 116 || chars[index] == 32 else { return nil }
        index += 1
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2) else { return nil }
        var fraction = 0.0
        if index < chars.count && (chars[index] == 46 || chars[index] == 44) {
            index += 1
            var scale = 0.1
            var digits = 0
            while index < chars.count, chars[index] >= 48 && chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
        }
        var offsetSeconds = 0
        guard index < chars.count else { return nil }
        if chars[index] == 90 || chars[index] == 122 {
            index += 1
        } else if chars[index] == 43 || chars[index] == 45 {
            let sign = chars[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(2) else { return nil }
            _ = expect(58)
            guard let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == chars.count else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let base = calendar.date(from: components), calendar.component(.day, from: base) == day else { return nil }
        return base.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}
