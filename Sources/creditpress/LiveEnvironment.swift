import ArgumentParser
import CreditRecords
import Foundation

/// The command line's world: the one place that reads environment variables, the login
/// name and the clock, and hands them to the library as a `CreditEnvironment`.
enum Live {
    static var variables: [String: String] { ProcessInfo.processInfo.environment }

    static func variable(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// The environment for a command: `--resources`, else `$CREDITPRESS_HOME`, else the
    /// working folder or the checkout the program was built in; the system clock; the actor
    /// `$CREDITPRESS_ACTOR`, else the login name; the cache folder.
    static func environment(resources explicit: String?) throws -> CreditEnvironment {
        CreditEnvironment(resources: try Resources.locate(explicit: explicit, home: variable("CREDITPRESS_HOME")),
                          clock: SystemClock(), actor: actor, cacheFolder: cacheFolder)
    }

    /// Who acts, as the registry's audit trail records it.
    static var actor: String { variable("CREDITPRESS_ACTOR") ?? NSUserName() }

    /// `$XDG_CACHE_HOME/creditpress`, else `~/.cache/creditpress`; none without either.
    static var cacheFolder: URL? {
        if let xdg = variable("XDG_CACHE_HOME") { return URL(fileURLWithPath: xdg).appendingPathComponent("creditpress") }
        if let home = variable("HOME") { return URL(fileURLWithPath: home).appendingPathComponent(".cache/creditpress") }
        return nil
    }

    /// `--id-key FILE`, else `$CREDITPRESS_ID_KEY`, else `~/.config/creditpress/certificate-id.key`.
    static func idKeyLocation(explicit: String?) -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let path = variable("CREDITPRESS_ID_KEY") { return URL(fileURLWithPath: path) }
        let config = variable("XDG_CONFIG_HOME").map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: variable("HOME") ?? NSTemporaryDirectory()).appendingPathComponent(".config")
        return config.appendingPathComponent("creditpress/certificate-id.key")
    }

    /// `--signing DIR`, else `$CREDITPRESS_SIGNING`; nil when neither is set.
    static func signingFolder(explicit: String?) -> URL? {
        (explicit ?? variable("CREDITPRESS_SIGNING")).map { URL(fileURLWithPath: $0) }
    }

    /// `--registry FILE`, else `$CREDITPRESS_REGISTRY`; nil when neither is set.
    static func registryLocation(explicit: String?) -> URL? {
        (explicit ?? variable("CREDITPRESS_REGISTRY")).map { URL(fileURLWithPath: $0) }
    }

    /// The registry a command cannot do without; refused, saying what `needs` it, when unnamed.
    static func requiredRegistry(explicit: String?, needs: String) throws(InputError) -> URL {
        guard let location = registryLocation(explicit: explicit) else {
            throw InputError([Problem(file: "", field: "--registry", message: "\(needs) needs the registry of issued certificates",
                                      hint: "give --registry FILE or set CREDITPRESS_REGISTRY")])
        }
        return location
    }

    /// `--creation-date`, else `$SOURCE_DATE_EPOCH`, else now.
    static func issueDate(_ explicit: Date?) -> Date {
        if let explicit { return explicit }
        if let epoch = variable("SOURCE_DATE_EPOCH"), let seconds = TimeInterval(epoch) {
            return Date(timeIntervalSince1970: seconds)
        }
        return SystemClock().now()
    }
}

extension Live {
    /// Activity files given as files, or as folders searched for `activity.yaml`,
    /// `activity.json` and `*.activity.yaml`.
    static func activityFiles(_ paths: [String], option: String) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationError("\(option) \(path) does not exist")
            }
            if !isFolder.boolValue { files.append(URL(fileURLWithPath: path)); continue }
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let name = enumerator?.nextObject() as? String {
                if name.hasSuffix("activity.yaml") || name.hasSuffix("activity.json") || name.hasSuffix(".activity.yaml") {
                    files.append(URL(fileURLWithPath: path).appendingPathComponent(name))
                }
            }
        }
        return files.sorted { $0.path < $1.path }
    }
}
