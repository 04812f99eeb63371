import CreditRecords
import CreditStatements
import Foundation
import Yams

extension LayoutSpec {
    /// Page sizes by name, portrait, in points.
    package static let pageSizes: [String: (Double, Double)] = [
        "letter": (612, 792), "a4": (595.276, 841.89), "legal": (612, 1008), "a5": (419.528, 595.276),
    ]

    /// Reads a layout file, and the layouts it `extends`, if any (beside it, else in
    /// `bundled`); names used in its templates are checked when it is filled. The font files
    /// in a `fonts/` folder beside any of those files are added to `fonts` first.
    public static func read(_ url: URL, bundled: URL? = nil, fonts: FontLibrary) throws -> LayoutSpec {
        var files: [URL] = []
        let document = try LayoutInheritance.load(url, bundled: bundled, files: &files)
        for folder in fontFolders(of: files) {
            do {
                try fonts.addFonts(in: folder)
            } catch {
                throw InputError([Problem(file: document.file, field: "fonts/", message: error.message,
                                          hint: "put the brand's .ttf or .otf files in \(folder.path), or remove the folder")])
            }
        }
        let reader = FieldReader(document)
        let spec = read(reader.root, name: url.deletingPathExtension().lastPathComponent, fonts: fonts)
        guard var spec, reader.problems.isEmpty else { throw InputError(reader.problems) }
        spec.sourceFiles = files
        return spec
    }

    /// The `fonts/` folders beside the layout files read, other than the bundled fonts.
    package static func fontFolders(of files: [URL]) -> [URL] {
        var folders: [URL] = []
        for file in files {
            let folder = file.deletingLastPathComponent().appendingPathComponent("fonts").standardizedFileURL
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue,
                  !folders.contains(folder) else { continue }
            folders.append(folder)
        }
        return folders
    }

    private static func read(_ root: FieldMapping, name: String, fonts: FontLibrary) -> LayoutSpec? {
        root.rejectUnknownKeys(["extends", "version", "description", "kind", "page", "defaults", "frame", "rules", "images", "blocks", "qr"])
        let file = root.reader.document.file
        guard let (width, height, margin) = readPage(root) else { return nil }
        let defaults = readStyle(root.mapping("defaults"), base: TextStyle(), fonts: fonts)
        var blocks: [TextBlock] = []
        for item in root.mappings("blocks", required: true) {
            if let block = readBlock(item, defaults: defaults, page: (width, margin), known: blocks, fonts: fonts) {
                blocks.append(block)
            }
        }
        let version = root.string("version").flatMap { Int($0) } ?? 1
        let kind = root.choice("kind", allowed: CertificateKind.allNames) { CertificateKind(rawValue: $0) }
        return LayoutSpec(
            name: name, file: file, version: version, kind: kind, pageWidth: width, pageHeight: height, margin: margin,
            frames: root.mappings("frame").compactMap(readFrame),
            rules: root.mappings("rules").compactMap(readRule),
            images: root.mappings("images").compactMap(readImage),
            blocks: blocks,
            qr: root.mapping("qr").flatMap(readQR))
    }

    package static func readPage(_ root: FieldMapping) -> (Double, Double, Double)? {
        guard let page = root.mapping("page", required: true) else { return nil }
        page.rejectUnknownKeys(["size", "orientation", "margin"])
        let size = page.choice("size", required: true, allowed: pageSizes.keys.sorted().joined(separator: ", ")) {
            pageSizes[$0.lowercased()]
        }
        let landscape = page.choice("orientation", allowed: "portrait, landscape") { text -> Bool? in
            ["portrait": false, "landscape": true][text.lowercased()]
        } ?? false
        let margin = page.number("margin") ?? 54
        guard let size else { return nil }
        return landscape ? (size.1, size.0, margin) : (size.0, size.1, margin)
    }

    package static func readStyle(_ map: FieldMapping?, base: TextStyle, fonts: FontLibrary) -> TextStyle {
        var style = base
        guard let map else { return style }
        map.rejectUnknownKeys(["family", "size", "weight", "italic", "color", "tracking", "align", "justify", "lineHeight", "direction"])
        if let family = map.string("family") {
            if fonts.families.contains(family) {
                style.family = family
            } else {
                map.reader.report(map.child("family"), map.value("family"), "no font is called '\(family)'",
                                  hint: "use one of: \(fonts.families.sorted().joined(separator: ", ")), or put the font's files in a fonts/ folder beside the layout")
            }
        }
        style.size = map.number("size") ?? style.size
        style.weight = map.choice("weight", allowed: "regular, medium, semibold, bold") {
            ["regular": 400, "normal": 400, "medium": 500, "semibold": 600, "bold": 700][$0.lowercased()]
        } ?? style.weight
        style.italic = map.flag("italic") ?? style.italic
        style.color = map.choice("color", allowed: "a colour such as #1F3A5F") { RGBColor(hex: $0) } ?? style.color
        style.tracking = map.number("tracking") ?? style.tracking
        style.alignment = map.choice("align", allowed: "left, center, right") {
            TextStyle.Alignment(rawValue: $0.lowercased())
        } ?? style.alignment
        style.justify = map.flag("justify") ?? style.justify
        style.direction = map.choice("direction", allowed: "ltr, auto") {
            TextStyle.Direction(rawValue: $0.lowercased())
        } ?? style.direction
        style.lineHeight = map.number("lineHeight") ?? style.lineHeight
        return style
    }

    private static func readBlock(_ item: FieldMapping, defaults: TextStyle, page: (width: Double, margin: Double),
                                  known: [TextBlock], fonts: FontLibrary) -> TextBlock? {
        item.rejectUnknownKeys(["id", "text", "top", "below", "gap", "bottom", "left", "width", "maxHeight",
                                "style", "minSize", "maxLines", "optional", "remove"])
        let id = item.string("id", required: true)
        let source = item.string("text", required: true)
        let style = readStyle(item.mapping("style"), base: defaults, fonts: fonts)
        let left = item.number("left") ?? page.margin
        let width = item.number("width") ?? page.width - left - page.margin
        guard let id, let source, let placement = readPlacement(item, known: known) else { return nil }
        do {
            let template = try parseTemplate(source, file: item.reader.document.file,
                                             lineOffset: (item.value("text")?.mark?.line ?? 1) - 1)
            var block = TextBlock(id: id, template: template, source: source, placement: placement, x: left,
                                  width: width, maxHeight: item.number("maxHeight"), style: style,
                                  minSize: item.number("minSize"), maxLines: item.number("maxLines").map { Int($0) },
                                  optional: item.flag("optional") ?? false)
            block.isActivityWide = TemplateNames.isActivityWide(source)
            block.renderPaths = TemplateNames.renderPaths(in: source)
            return block
        } catch {
            item.reader.report(item.child("text"), item.value("text"), error.message)
            return nil
        }
    }

    private static func readPlacement(_ item: FieldMapping, known: [TextBlock]) -> Placement? {
        if let top = item.number("top") { return .top(top) }
        if let bottom = item.number("bottom") { return .bottom(bottom) }
        if let other = item.string("below") {
            guard known.contains(where: { $0.id == other }) else {
                item.reader.report(item.child("below"), item.value("below"), "there is no earlier block '\(other)'",
                                   hint: "a block can only be placed below one listed before it")
                return nil
            }
            return .below(other, gap: item.number("gap") ?? 0)
        }
        item.reader.report(item.path, item.node, "has no position", hint: "give `top`, `bottom` or `below`")
        return nil
    }

    private static func readFrame(_ item: FieldMapping) -> FrameLine? {
        item.rejectUnknownKeys(["inset", "width", "color"])
        guard let inset = item.number("inset", required: true) else { return nil }
        return FrameLine(inset: inset, width: item.number("width") ?? 1, color: item.color("color"))
    }

    private static func readRule(_ item: FieldMapping) -> Rule? {
        item.rejectUnknownKeys(["from", "to", "width", "color", "with"])
        guard let from = item.point("from"), let to = item.point("to") else { return nil }
        return Rule(x1: from.0, y1: from.1, x2: to.0, y2: to.1, width: item.number("width") ?? 0.75,
                    color: item.color("color"), with: item.string("with"))
    }

    private static func readQR(_ item: FieldMapping) -> QRSlot? {
        item.rejectUnknownKeys(["box", "alt", "drawing"])
        guard let box = item.numbers("box", count: 3) else { return nil }
        let drawing = item.choice("drawing", allowed: "mask, outline") { PageFrame.QRDrawing(rawValue: $0.lowercased()) } ?? .outline
        return QRSlot(x: box[0], y: box[1], size: box[2], alt: item.string("alt") ?? "Verification QR code", drawing: drawing)
    }

    private static func readImage(_ item: FieldMapping) -> ImageSlot? {
        item.rejectUnknownKeys(["id", "source", "box", "optional", "alt", "remove"])
        guard let source = item.string("source", required: true), let box = item.numbers("box", count: 4) else {
            return nil
        }
        return ImageSlot(source: source, x: box[0], y: box[1], width: box[2], height: box[3],
                         optional: item.flag("optional") ?? false, alt: item.string("alt"))
    }
}

extension FieldMapping {
    /// A colour, black when absent.
    package func color(_ key: String) -> RGBColor {
        choice(key, allowed: "a colour such as #1F3A5F") { RGBColor(hex: $0) } ?? RGBColor(red: 0, green: 0, blue: 0)
    }
}
