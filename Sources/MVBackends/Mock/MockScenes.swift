import Crypto
import Foundation

/// Deterministic scene scripts for the mock provider: the same prompt always gives the same scenes.
enum MockScenes {
    private static let shots = [
        "wide establishing shot", "slow push-in", "handheld close-up", "low-angle hero shot", "overhead crane shot", "tracking shot",
        "silhouette against the light", "over-the-shoulder shot",
    ]
    private static let lights = [
        "golden-hour light", "neon night light", "soft overcast light", "hard stage spotlights", "flickering candlelight", "cool moonlight",
        "warm tungsten light", "strobing concert lights",
    ]
    private static let places = [
        "a rooftop above the city", "an empty highway at dusk", "a crowded stadium stage", "a rain-soaked alley", "a sunlit meadow", "a retro diner",
        "a desert road", "a mirrored studio",
    ]

    static func make(prompt: String, count: Int) -> [Scene] {
        let digest = Array(SHA256.hash(data: Data(prompt.utf8)))
        let excerpt = String(prompt.split(whereSeparator: { $0.isNewline }).first ?? "").prefix(160)
        return (0..<max(count, 1)).map { index in
            let a = Int(digest[(index * 3) % digest.count])
            let b = Int(digest[(index * 3 + 1) % digest.count])
            let c = Int(digest[(index * 3 + 2) % digest.count])
            let description = "Scene \(index + 1): \(shots[a % shots.count]) in \(places[b % places.count]), \(lights[c % lights.count]). \(excerpt)"
            let negative = "No subtitles, no text overlays, no watermarks, no distorted faces (scene \(index + 1))."
            return Scene(index: index, description: description, negativeDescription: negative)
        }
    }
}
