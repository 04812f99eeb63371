import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// A real browser (Debian's chromium, headless) driven over WebDriver by its chromedriver,
/// both started for the test and stopped after it. Every wait has a deadline.
final class Browser: @unchecked Sendable {
    let driver = Process()
    let port: Int
    let downloads: URL
    private let client: HTTPClient
    private var session = ""

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Whether the browser is installed; a test that needs it fails on CI without it.
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    }

    init(home: URL) async throws {
        downloads = home.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        port = try Self.freePort()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driver.arguments = ["--port=\(port)", "--log-level=SEVERE"]
        driver.environment = ["HOME": home.path, "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": home.path, "XDG_CACHE_HOME": home.path]
        let output = Pipe()
        driver.standardOutput = output
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        // chromedriver says when it listens.
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("started successfully") {
            // What the pipe holds now (read(upToCount:) would wait for the whole count).
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw Failure(description: "chromedriver did not start: \(String(decoding: said, as: UTF8.self))")
            }
            said += chunk
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton)
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1400",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--disable-default-apps", "--disable-domain-reliability", "--user-data-dir=\(home.appendingPathComponent("profile").path)",
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": [
            "binary": "/usr/bin/chromium", "args": arguments,
            "prefs": ["download.default_directory": downloads.path, "download.prompt_for_download": false,
                      "plugins.always_open_pdf_externally": true],
        ] as [String: Any]]]]
        let answer = try await call("POST", "/session", capabilities, timeout: 60)
        guard let value = answer["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw Failure(description: "no WebDriver session: \(answer)")
        }
        session = id
    }

    /// Ends the session and stops chromedriver (and with it the browser).
    func close() async {
        if !session.isEmpty { _ = try? await call("DELETE", "/session/\(session)", nil, timeout: 20) }
        // chromedriver ignores SIGTERM: it is asked to stop, then killed if it has not.
        _ = try? await call("GET", "/shutdown", nil, timeout: 5)
        try? await client.shutdown()
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
        driver.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Foundation.close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @discardableResult
    private func call(_ method: String, _ path: String, _ body: [String: Any]?, timeout: Int64 = 20) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        } else if method == "POST" {
            request.body = .bytes(ByteBuffer(string: "{}"))
        }
        let response = try await client.execute(request, timeout: .seconds(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        if response.status.code >= 400 {
            throw Failure(description: "WebDriver \(method) \(path): \(response.status.code) \((object["value"] as? [String: Any])?["message"] ?? "")")
        }
        return object
    }

    @discardableResult
    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await call(method, "/session/\(session)\(path)", body)["value"]
    }

    func go(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

    var url: String { get async throws { try await command("GET", "/url") as? String ?? "" } }

    /// The page's visible text.
    var text: String { get async throws { try await element("body").text } }

    struct Element {
        let browser: Browser
        let id: String

        func click() async throws { try await browser.command("POST", "/element/\(id)/click") }
        func type(_ text: String) async throws { try await browser.command("POST", "/element/\(id)/value", ["text": text]) }
        func clear() async throws { try await browser.command("POST", "/element/\(id)/clear") }
        var text: String { get async throws { try await browser.command("GET", "/element/\(id)/text") as? String ?? "" } }
    }

    func element(_ css: String) async throws -> Element {
        let value = try await command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any]
        guard let id = value?.values.first as? String else { throw Failure(description: "no element \(css)") }
        return Element(browser: self, id: id)
    }

    /// Types `text` into the field `css`, replacing what it held.
    func fill(_ css: String, _ text: String) async throws {
        let field = try await element(css)
        try await field.clear()
        try await field.type(text)
    }

    func click(_ css: String) async throws { try await element(css).click() }

    /// Runs `script` in the page; its result.
    @discardableResult
    func run(_ script: String) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": script, "args": [] as [Any]])
    }

    /// Waits (at most `seconds`) until `condition` holds for the page's text.
    func waitForText(_ seconds: Double = 10, _ condition: (String) -> Bool) async throws -> String {
        let end = Date().addingTimeInterval(seconds)
        while true {
            // A page being replaced gives a stale element for a moment: look again.
            let text = (try? await self.text) ?? ""
            if condition(text) { return text }
            guard Date() < end else { throw Failure(description: "the page never showed what was waited for; it shows: \(text.prefix(600))") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// axe-core's script, from the PyPI wheel `scripts/setup.sh --test` installs.
    static let axe: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import axe_playwright_python, os; print(os.path.join(os.path.dirname(axe_playwright_python.__file__), 'axe.min.js'))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        return try? String(contentsOfFile: path, encoding: .utf8)
    }()

    /// The page's serious and critical accessibility violations, as axe-core finds them
    /// (WCAG 2 A and AA rules: labels, contrast, headings, landmarks, names of controls).
    func accessibilityViolations() async throws -> [String] {
        guard let axe = Self.axe else { throw Failure(description: "axe-core is not installed (scripts/setup.sh --test)") }
        _ = try await command("POST", "/execute/sync", ["script": axe, "args": [] as [Any]])
        let script = """
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } })
              .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));
            """
        return try await command("POST", "/execute/async", ["script": script, "args": [] as [Any]]) as? [String] ?? ["axe gave no answer"]
    }

    /// The screenshot of the window, as PNG.
    func screenshot(to url: URL) async throws {
        let base64 = try await command("GET", "/screenshot") as? String ?? ""
        try Data(base64Encoded: base64)?.write(to: url)
    }

    /// The file a download put in the download folder, once complete.
    func downloaded(suffix: String, seconds: Double = 10) async throws -> URL {
        let end = Date().addingTimeInterval(seconds)
        while true {
            let names = try FileManager.default.contentsOfDirectory(atPath: downloads.path)
            if let name = names.first(where: { $0.hasSuffix(suffix) }), !names.contains(where: { $0.hasSuffix(".crdownload") }) {
                return downloads.appendingPathComponent(name)
            }
            guard Date() < end else { throw Failure(description: "no \(suffix) was downloaded: \(names)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
