import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, but errors come out as thrown: postgres-nio wraps every failure in a transaction, our own
    /// domain errors included, in `PostgresTransactionError`; this unwraps it so callers match their own types.
    /// - Parameters:
    ///   - logger: Logger for the queries.
    ///   - body: The work, on one connection between `BEGIN` and `COMMIT` (rolled back when it throws).
    /// - Returns: What `body` returns.
    public func transaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch {
            throw PostgresErrors.unwrap(error)
        }
    }
}

/// Reading PostgreSQL failures at a store boundary.
public enum PostgresErrors {
    /// The underlying error of a `PostgresTransactionError` (the closure's, else begin's or commit's); others as given.
    public static func unwrap(_ error: any Error) -> any Error {
        if let transactionError = error as? PostgresTransactionError {
            return transactionError.closureError ?? transactionError.beginError ?? transactionError.commitError
                ?? transactionError
        }
        return error
    }

    /// Whether `error` (possibly wrapped) is SQLSTATE 23505 unique_violation.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        (unwrap(error) as? PSQLError)?.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
    }
}
