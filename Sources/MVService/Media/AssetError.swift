import Foundation

/// Why an asset or share operation was refused; mapped to problem+json once, in `Problem+Domain.swift`.
enum AssetError: Error, Equatable {
    /// Not visible to the caller (or no such id): 404, whatever the id's existence.
    case notFound(AssetKind?)
    /// Visible, but the caller's permission does not allow `action`: 403.
    case forbidden(action: String)
    /// `POST .../restore` on an asset that is not deleted: 409.
    case notDeleted
    /// `POST .../restore` after the restore window: 410.
    case restoreWindowPassed(hours: Int)
    /// A grant names a user or team that does not exist: 404 naming `field`.
    case unknownGrantee(field: String)
    /// A share link for an asset without content (a scene set): 409.
    case notShareable
    /// No live share with that id visible to the caller: 404.
    case shareNotFound
    /// A share link that expired or was revoked: 410.
    case shareGone
    /// The sweeper removed the file of a blob while new bytes were stored under the same hash: 503, retryable.
    case blobVanished
}
