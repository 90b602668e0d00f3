import Foundation
import MVAuth
import MVBilling
import MVCore
import PostgresNIO

/// Admission's one statement, SQL function `admit_job` (sql/020), prepared once per pooled connection and executed by
/// name after that: as an unnamed statement PostgreSQL parsed, analysed and planned the call on every admission, about
/// a tenth of its CPU per admission.
struct AdmitJobStatement: PostgresPreparedStatement {
    /// The statement's name on each connection, a constant: postgres-nio's default, `String(reflecting:)` of the
    /// type, was built anew on every execution.
    static let name = "MVService.AdmitJobStatement"
    static let sql = """
        SELECT * FROM admit_job($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::integer, $11, $12, $13, $14, $15, $16, $17, $18)
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .text, .uuid, .uuid, .uuid, .uuid, .jsonb, .text, .text, .int8, .int8, .text, .text, .text, .float8, .float8, .int8,
        .textArray,
    ]

    /// The roles that may generate (`Authorization`), checked by `admit_job` when the standing came from the cache.
    static let generatingRoles = TeamRole.allCases.filter { Authorization.allows($0, .generate) }.map(\.rawValue)

    typealias Row = AdmissionRow

    var request: AdmissionRequest
    /// `webhooks.credits_low_threshold`: a hold that takes available credits below it announces `credits.low`.
    var creditsLowThreshold: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: Self.bindingDataTypes.count)
        bindings.append(request.jobID)
        try bindings.append(request.kind)
        bindings.append(request.userID)
        bindings.append(request.teamID)
        bindings.append(request.apiKeyID)
        bindings.append(request.projectID)
        try bindings.append(EncodedJSONB(request.specJSON))
        bindings.append(request.idempotencyKey)
        bindings.append(request.specHash)
        bindings.append(Int64(request.maxAttempts))
        bindings.append(request.quote)
        bindings.append(request.holdReason)
        bindings.append(request.policy.bucketKey(user: request.userID))
        bindings.append(request.policy.name)
        bindings.append(Double(request.policy.capacity))
        bindings.append(request.policy.refillPerSecond)
        bindings.append(creditsLowThreshold)
        if request.recheckStanding { bindings.append(Self.generatingRoles) } else { bindings.appendNull() }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> AdmissionRow { try AdmissionRow(row) }
}
