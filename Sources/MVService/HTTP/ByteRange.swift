/// A single `Range: bytes=...` request resolved against a file size (RFC 9110 §14).
enum ByteRange: Equatable {
    /// Serve the whole file (no Range, another unit, or several ranges).
    case full
    /// Serve these bytes (206).
    case partial(ClosedRange<Int64>)
    /// Nothing satisfiable or malformed (416).
    case unsatisfiable

    /// Parses `header` for a file of `size` bytes.
    init(header: String?, size: Int64) {
        guard let header else {
            self = .full
            return
        }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .full
            return
        }
        let specs = trimmed.dropFirst("bytes=".count).split(separator: ",", omittingEmptySubsequences: false)
        guard specs.count == 1, let spec = specs.first else {
            self = specs.count > 1 ? .full : .unsatisfiable
            return
        }
        let parts = spec.trimmingCharacters(in: .whitespaces).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, size > 0 else {
            self = .unsatisfiable
            return
        }
        let first = parts[0].isEmpty ? nil : Int64(parts[0])
        let last = parts[1].isEmpty ? nil : Int64(parts[1])
        switch (parts[0].isEmpty, parts[1].isEmpty) {
        case (true, true):
            self = .unsatisfiable
        case (true, false):
            guard let suffix = last, suffix > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(max(0, size - suffix)...(size - 1))
        case (false, _):
            guard let start = first, start >= 0, start < size else {
                self = .unsatisfiable
                return
            }
            if parts[1].isEmpty {
                self = .partial(start...(size - 1))
            } else {
                guard let end = last, end >= start else {
                    self = .unsatisfiable
                    return
                }
                self = .partial(start...min(end, size - 1))
            }
        }
    }
}

import Foundation
