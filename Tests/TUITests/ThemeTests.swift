import Foundation
import Testing
@testable import TUI

@Suite struct ThemeTests {
    /// themes/ at the package root, found from this file's path (argument-parser's trick).
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes")

    static func files() -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: themesDir, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "theme" }.sorted { $0.path < $1.path }
    }

    @Test func theShippedThemesAreThere() {
        let names = Set(Self.files().map { $0.deletingPathExtension().lastPathComponent })
        #expect(names.isSuperset(of: ["default", "light", "high-contrast", "okabe-ito"]))
    }

    @Test func everyThemeParsesAndSetsEveryKey() throws {
        for url in Self.files() {
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(throws: Never.self, "\(url.lastPathComponent)") { _ = try Theme.parse(text, file: url.lastPathComponent) }
            for role in ThemeRole.allCases {
                #expect(text.contains("theme[\(role.key)]="), "\(url.lastPathComponent) lacks \(role.key)")
            }
        }
    }

    @Test func defaultThemeFileEqualsTheBuiltInDefaults() throws {
        let url = Self.themesDir.appendingPathComponent("default.theme")
        let text = try String(contentsOf: url, encoding: .utf8)
        // Parsed values must match, and every key must be spelled out (so a missing key cannot hide behind the fallback).
        let parsed = try Theme.parse(text, file: "default.theme")
        for role in ThemeRole.allCases {
            #expect(parsed.color(role) == Theme.default.color(role), "\(role.key)")
            #expect(text.contains("theme[\(role.key)]=\"\(Theme.default.color(role).map(\.description) ?? "")\""), "\(role.key) value in file")
        }
    }

    @Test func otherThemesDifferFromTheDefault() throws {
        for name in ["light", "high-contrast", "okabe-ito"] {
            let t = try Theme.load(path: Self.themesDir.appendingPathComponent("\(name).theme").path)
            #expect(t != Theme.default, "\(name)")
        }
    }

    @Test func colourFormats() throws {
        let t = try Theme.parse("theme[main_fg]=\"#A0\"\ntheme[title]=\"1 2 3\"\n  theme[main_bg] = \"\"  \n# comment\n", file: "t")
        #expect(t.color(.mainFg) == RGB(gray: 0xA0))
        #expect(t.color(.title) == RGB(1, 2, 3))
        #expect(t.color(.mainBg) == nil)
        #expect(t.color(.hiFg) == Theme.default.color(.hiFg))      // missing key falls back
    }

    @Test func errorsNameFileLineAndKey() {
        #expect(throws: ThemeError.unknownKey("x.theme:3", "cpu_box")) {
            try Theme.parse("# c\n\ntheme[cpu_box]=\"#FFFFFF\"\n", file: "x.theme")
        }
        #expect(throws: ThemeError.badColor("x.theme:1", "title", "#GG0000")) {
            try Theme.parse("theme[title]=\"#GG0000\"", file: "x.theme")
        }
        #expect(throws: ThemeError.badColor("x.theme:1", "title", "1 2")) { try Theme.parse("theme[title]=\"1 2\"", file: "x.theme") }
        #expect(throws: ThemeError.syntax("x.theme:2", "title=#FFFFFF")) { try Theme.parse("\ntitle=#FFFFFF", file: "x.theme") }
        let message = ThemeError.unknownKey("x.theme:3", "cpu_box").description
        #expect(message.hasPrefix("x.theme:3: unknown theme key 'cpu_box'") && !message.contains("\n"))
        #expect(throws: ThemeError.unreadable("/nonexistent.theme")) { try Theme.load(path: "/nonexistent.theme") }
    }
}
