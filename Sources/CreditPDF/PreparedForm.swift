import Foundation

/// A form XObject made once as PDF objects, to be copied into many files: a logo, a
/// signature, or a paragraph every certificate of an activity shows. Cairo would otherwise
/// write and compress the same drawing (and its glyphs) again for each of thousands of
/// files: most of the work of drawing one.
///
/// A page is drawn with nothing inside the tag (figure or paragraph) where a prepared form
/// goes, which Cairo writes as an empty marked-content sequence; `place` paints the form
/// there, so the page's tags, reading order and figures' alternative text stay as Cairo
/// wrote them.
package struct PreparedForm {
    /// The set holding the form (at index `root`) and everything it uses.
    package let objects: PDFObjectSet
    package let root: Int

    package init(objects: PDFObjectSet, root: Int) {
        self.objects = objects
        self.root = root
    }

    /// A prepared form and where it goes: the matrix from its space to the page's (Cairo's
    /// page space, y down, which the page's content sets up first).
    package struct Placement {
        package let form: PreparedForm
        package let matrix: [Double]

        package init(form: PreparedForm, matrix: [Double]) {
            self.form = form
            self.matrix = matrix
        }
    }

    /// Paints `placements[i]` in the `i`-th empty marked-content sequence of the first page.
    /// Refuses unless the page has exactly that many (the update is then to be dropped).
    /// Forms of one set share the set's other objects (a paragraph's fonts), copied once.
    package static func place(_ placements: [Placement], in update: inout PDFUpdate) throws(FormPlacementError) {
        guard !placements.isEmpty else { return }
        do {
            let base = update.base
            let pageNumber = try base.firstPage()
            let pageText = try base.object(pageNumber)
            guard let contents = PDFDictionary.reference("Contents", in: pageText),
                  let resourcesNumber = PDFDictionary.reference("Resources", in: pageText) else {
                throw FormPlacementError("the page has no single content stream or no resources object")
            }
            let (dictionary, data) = try base.stream(contents)
            guard PDFDictionary.name("Filter", in: dictionary) == "FlateDecode", let content = Zlib.inflate(Array(data)) else {
                throw FormPlacementError("the page's content stream could not be read")
            }
            let slots = PDFLexer.emptyMarkedContent(in: content)
            guard slots.count == placements.count else {
                throw FormPlacementError("the page has \(slots.count) empty tags where \(placements.count) forms go")
            }
            // Each set's objects numbered in the order the sets are met: the same page gives the same file.
            var sets: [PDFObjectSet] = []
            var numbers: [ObjectIdentifier: [Int]] = [:]
            for placement in placements where numbers[ObjectIdentifier(placement.form.objects)] == nil {
                sets.append(placement.form.objects)
                numbers[ObjectIdentifier(placement.form.objects)] = placement.form.objects.objects.map { _ in update.reserve() }
            }
            for set in sets {
                let assigned = numbers[ObjectIdentifier(set)]!
                for (number, body) in zip(assigned, set.bodies(numbered: assigned)) { update.set(number, to: body) }
            }
            var edited: [UInt8] = []
            edited.reserveCapacity(content.count + placements.count * 64)
            var cursor = 0
            var names = ""
            for (index, (slot, placement)) in zip(slots, placements).enumerated() {
                let number = numbers[ObjectIdentifier(placement.form.objects)]![placement.form.root]
                let matrix = placement.matrix.map(Self.number).joined(separator: " ")
                edited += content[cursor..<slot]
                edited += Array("\nq \(matrix) cm /CPForm\(index) Do Q".utf8)
                cursor = slot
                names += " /CPForm\(index) \(number) 0 R"
            }
            edited += content[cursor...]
            let compressed = Zlib.compress(edited, level: 6)
            var stream = Array("<< /Length \(compressed.count)\n   /Filter /FlateDecode\n>>\nstream\n".utf8)
            stream += compressed
            stream += Array("\nendstream".utf8)
            update.set(contents, to: stream)
            update.replace(resourcesNumber, with: try Self.adding(names, toXObjectsOf: base.object(resourcesNumber)))
        } catch let error as FormPlacementError {
            throw error
        } catch {
            throw FormPlacementError("\(error)")
        }
    }

    /// A resources dictionary with `entries` added to its `/XObject` dictionary (made if missing).
    private static func adding(_ entries: String, toXObjectsOf resources: String) throws(PDFStructureError) -> String {
        guard let range = PDFLexer.subdictionaryRange("XObject", in: resources) else {
            return try PDFDictionary.adding("/XObject <<\(entries) >>", to: resources)
        }
        var edited = resources
        edited.insert(contentsOf: entries, at: resources.index(range.lowerBound, offsetBy: 2))
        return edited
    }

    /// A number as a content stream writes it: rounded to 1/10,000, never with an exponent.
    package static func number(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        // Between 0.0001 and 10^15 Swift writes no exponent, and the shortest form that reads back.
        return rounded.description
    }

    /// The form XObjects a one-page PDF's page paints, in painting order.
    package static func paintedForms(in source: PDFIndex) throws(PDFStructureError) -> [Int] {
        let pageText = try source.object(source.firstPage())
        guard let contents = PDFDictionary.reference("Contents", in: pageText) else {
            throw PDFStructureError("the page has no single content stream")
        }
        let resources: String
        if let reference = PDFDictionary.reference("Resources", in: pageText) {
            resources = try source.object(reference)
        } else {
            resources = PDFLexer.subdictionary("Resources", in: pageText) ?? ""
        }
        let names = PDFLexer.subdictionary("XObject", in: resources).map(PDFLexer.namedReferences) ?? [:]
        let (dictionary, data) = try source.stream(contents)
        guard let content = PDFDictionary.name("Filter", in: dictionary) == "FlateDecode" ? Zlib.inflate(Array(data)) : Array(data) else {
            throw PDFStructureError("the page's content stream could not be read")
        }
        return try PDFLexer.paintedXObjects(in: content).map { name throws(PDFStructureError) in
            guard let number = names[name] else { throw PDFStructureError("the page paints /\(name), which it does not name") }
            return number
        }
    }
}

/// Why prepared forms could not be put in; the page is then drawn with everything in place.
package struct FormPlacementError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
