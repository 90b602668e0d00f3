import Foundation
import MVAuth
import MVBackends
import MVBilling

extension OpenAPIDocument {
    /// The request bodies, with the constraints the validators enforce. Optional members also take JSON `null` (the
    /// decoders read it as absent); unknown members are ignored. Lengths count Unicode scalars before trimming.
    static func requestSchemas(_ options: GenerationOptions) -> [String: Any] {
        let password = text(maxLength: PasswordPolicy.maximumLength, minLength: PasswordPolicy.minimumLength)
        let email: [String: Any] = ["type": "string", "format": "email", "maxLength": EmailAddress.maximumLength]
        let teamName = text(maxLength: 200, blankAllowed: false)
        let timeZone = enumeration(TimeZoneName.all)
        let role = enumeration(TeamRole.allCases.map(\.rawValue))
        let seed = integer(0...Int64(UInt32.max))
        let backend = nullable(enumeration(options.backends))
        let model = nullable(text(maxLength: 200, minLength: 1))
        let video: [String: Any] = [
            "prompt": text(maxLength: 4000, blankAllowed: false),
            "negative_prompt": nullable(text(maxLength: 2000)),
            "aspect_ratio": nullable(enumeration(options.videoAspectRatios)),
            "duration": nullable(["type": "integer", "enum": options.videoDurations]),
            "resolution": nullable(enumeration(options.videoResolutions)),
            "generate_audio": nullable(boolean),
            "seed": nullable(seed),
            "reference_image_ids": nullable(array(uuid, maxItems: 3)),
            "backend": backend, "model": model,
            "project_id": nullable(uuid),
            "scene_index": nullable(integer(0...Int64.max)),
            "video_rules_template": nullable(text(maxLength: 4000)),
        ]
        let scenes: [String: Any] = [
            "idea": text(maxLength: 4000, blankAllowed: false),
            "character_description": text(maxLength: 4000, blankAllowed: false),
            "character_characteristics": nullable(text(maxLength: 1000)),
            "number_of_scenes": nullable(integer(1...12)),
            "video_type": nullable(text(maxLength: 1000)),
            "video_characteristics": nullable(text(maxLength: 1000)),
            "camera_angle": nullable(text(maxLength: 1000)),
            "config_flavor": nullable(enumeration([""] + options.flavors)),
            "director": nullable(enumeration([""] + options.directors)),
            "project_id": nullable(uuid),
            "backend": backend, "model": model,
        ]
        let images: [String: Any] = [
            "character_description": text(maxLength: 4000, blankAllowed: false),
            "num_images": nullable(integer(1...4)),
            "aspect_ratio": nullable(enumeration([""] + options.imageAspectRatios)),
            "safety_filter_level": nullable(enumeration([""] + ImageJobSpec.safetyLevels)),
            "person_generation": nullable(enumeration([""] + ImageJobSpec.personModes)),
            "output_format": nullable(enumeration([""] + options.imageFormats)),
            "negative_prompt": nullable(text(maxLength: 2000)),
            "seed": nullable(integer(0...Int64(UInt32.max) - 4)),
            "project_id": nullable(uuid),
            "config_flavor": nullable(enumeration([""] + options.flavors)),
            "backend": backend, "model": model,
        ]
        var clipList = array(uuid, maxItems: MergeJobSpec.clipCount.upperBound)
        clipList["minItems"] = MergeJobSpec.clipCount.lowerBound
        clipList["uniqueItems"] = true
        let merge: [String: Any] = [
            "video_ids": clipList,
            "audio_id": nullable(uuid),
            "transition": nullable(enumeration(MergeTransition.allCases.map(\.rawValue))),
            "transition_seconds": nullable([
                "type": "number", "minimum": MergeJobSpec.transitionRange.lowerBound, "maximum": MergeJobSpec.transitionRange.upperBound,
            ]),
            "fit_to_audio": nullable(enumeration(AudioFit.allCases.map(\.rawValue))),
            "project_id": nullable(uuid),
        ]
        /// A generation body with `kind`; `generate_video` is also the kind of a body without one (or with `null`).
        func quote(_ kind: String, _ properties: [String: Any], required: [String]) -> [String: Any] {
            var properties = properties
            let isDefault = kind == "generate_video"
            properties["kind"] = isDefault ? nullable(enumeration([kind])) : enumeration([kind])
            return object(properties, required: (isDefault ? [] : ["kind"]) + required)
        }
        return [
            "RegisterInput": object(
                ["email": email, "password": password, "name": nullable(text(maxLength: 200)), "team_name": nullable(teamName)],
                required: ["email", "password"]),
            "LoginInput": object(
                ["email": text(maxLength: EmailAddress.maximumLength), "password": text(maxLength: PasswordPolicy.maximumLength)],
                required: ["email", "password"]),
            "RefreshInput": object(["refresh_token": text(maxLength: AuthController.maxRefreshTokenLength)], required: ["refresh_token"]),
            "GenerateVideoInput": object(video, required: ["prompt"]),
            "CreateScenesInput": object(scenes, required: ["idea", "character_description"]),
            "CharacterReferenceInput": object(images, required: ["character_description"]),
            "MergeVideosInput": object(merge, required: ["video_ids"]),
            "QuoteInput": [
                "description": "The body of one generation route plus `kind` (generate_video when absent)",
                "oneOf": [
                    quote("generate_video", video, required: ["prompt"]),
                    quote("create_scenes", scenes, required: ["idea", "character_description"]),
                    quote("generate_character_reference", images, required: ["character_description"]),
                    quote("merge_videos", merge, required: ["video_ids"]),
                ],
            ],
            "GrantInput": [
                "description": "A grant (positive amount: a new credit lot, optionally expiring, with a priority) or an adjustment (negative amount, drawn from the lots; no expiry, no priority)",
                "oneOf": [
                    object(
                        [
                            "amount": integer(1...1_000_000_000), "reason": nullable(text(maxLength: 500, blankAllowed: false)),
                            "expires_at": nullable(dateTime),
                            "priority": nullable(integer(Int64(CreditLot.priorities.lowerBound)...Int64(CreditLot.priorities.upperBound))),
                        ], required: ["amount"]),
                    object(
                        [
                            "amount": integer(-1_000_000_000...(-1)), "reason": nullable(text(maxLength: 500, blankAllowed: false)),
                            "expires_at": ["type": "null"], "priority": ["type": "null"],
                        ], required: ["amount"]),
                ],
            ],
            "KeyInput": object(
                [
                    "name": text(maxLength: APIKeyStore.maximumNameLength, blankAllowed: false), "team_id": nullable(uuid),
                    "scopes": ["type": "array", "minItems": 1, "items": enumeration(KeyScope.allCases.map(\.rawValue))],
                    "expires_at": nullable(dateTime),
                ], required: ["name", "scopes"]),
            "QuotaInput": object(
                [
                    "subject": [
                        "description": "The whole team (its id may be left out), or a member or API key of the team",
                        "oneOf": [
                            object(["type": enumeration([Quota.SubjectType.team.rawValue]), "id": nullable(uuid)], required: ["type"]),
                            object(
                                ["type": enumeration([Quota.SubjectType.member.rawValue, Quota.SubjectType.apiKey.rawValue]), "id": uuid],
                                required: ["type", "id"]),
                        ],
                    ],
                    "period": enumeration(Quota.Period.allCases.map(\.rawValue)), "limit": integer(1...QuotaStore.maximumLimit),
                    "action": enumeration(Quota.Action.allCases.map(\.rawValue)),
                ], required: ["subject", "period", "limit", "action"]),
            "RateLimitOverridesInput": object(
                Dictionary(uniqueKeysWithValues: TeamRateLimits.policies.sorted().map { name in
                    (name, object(
                        ["capacity": integer(1...1_000_000), "refill": integer(1...1_000_000), "per_seconds": integer(1...86_400)],
                        required: ["capacity", "refill", "per_seconds"]))
                }), closed: true),
            "QuotaUpdate": object(
                ["limit": nullable(integer(1...QuotaStore.maximumLimit)), "action": nullable(enumeration(Quota.Action.allCases.map(\.rawValue)))]),
            "UserUpdate": object(["disabled": nullable(boolean), "is_platform_admin": nullable(boolean)]),
            "TeamInput": object(["name": teamName, "time_zone": nullable(timeZone)], required: ["name"]),
            "TeamUpdate": object(
                ["name": nullable(teamName), "time_zone": nullable(timeZone), "retention_days": nullable(integer(0...36_500))]),
            "MemberInput": object(["email": email, "role": role], required: ["email", "role"]),
            "RoleInput": object(["role": role], required: ["role"]),
        ]
    }
}
