import CreditPDF
import CreditRecords
import Crypto
import Foundation

/// What was added to a signed PDF after its signature: each later revision's objects,
/// judged against what a signature allows — further signatures, their fields and widgets,
/// validation data (DSS), the document information's producer and date; never a change to
/// what a page shows or the certificate says.
///
/// These are the changes DocMDP level 2 permits for a certification signature ("form
/// filling and signing"), less form filling, which a certificate has no fields for; an
/// approval signature is held to the same rule. The QR payload and the document information
/// it is compared with are read from the signed revision.
package struct LaterRevisions {
    /// The later signatures, each with whether its own digest holds.
    package var signatures: [(signer: String, intact: Bool)] = []
    /// Changes no signature permits, each said in a few words.
    package var disallowed: [String] = []
    package var objectsAdded = 0

    /// Judges everything in `pdf` after `signedLength` bytes.
    package static func judge(_ pdf: [UInt8], signedLength: Int) -> LaterRevisions {
        var result = LaterRevisions()
        guard let signed = try? PDFIndex(Array(pdf.prefix(signedLength))), let full = try? PDFIndex(pdf) else {
            result.disallowed.append("the later revisions cannot be read (only classic cross-reference tables are)")
            return result
        }
        let changed = full.offsets.filter { $0.value >= signedLength }.map(\.key).sorted()
        let added = Set(changed.filter { signed.offsets[$0] == nil })
        result.objectsAdded = added.count
        func text(_ index: PDFIndex, _ number: Int) -> String? { try? index.object(number) }

        for number in changed where !added.contains(number) {
            guard let before = text(signed, number), let after = text(full, number) else {
                result.disallowed.append("object \(number) cannot be read")
                continue
            }
            if number == signed.info {
                // A signing tool notes itself and the time; what the certificate says stays.
                result.check(before, after, mayChange: ["ModDate", "Producer"], what: "the document information")
            } else if number == signed.root {
                result.check(before, after, mayChange: ["AcroForm", "DSS", "Version", "Extensions"], what: "the document catalog")
                result.checkForm(before: PDFLexer.subdictionary("AcroForm", in: before) ?? "",
                                 after: PDFLexer.subdictionary("AcroForm", in: after) ?? "", full: full, added: added)
            } else if PDFDictionary.name("Type", in: after) == "Page" {
                result.check(before, after, mayChange: ["Annots"], what: "page object \(number)")
                let old = Set(Self.references("Annots", in: before)), new = Self.references("Annots", in: after)
                if !old.isSubset(of: Set(new)) { result.disallowed.append("an annotation was removed from page object \(number)") }
                for annotation in new where !old.contains(annotation) {
                    result.checkSignatureField(annotation, full: full, added: added)
                }
            } else if before.contains("/AcroForm") == false, after.contains("/Fields") {
                // An interactive form kept as an object of its own.
                result.checkForm(before: before, after: after, full: full, added: added)
            } else {
                result.disallowed.append("object \(number)\(PDFDictionary.name("Type", in: after).map { " (/\($0))" } ?? "") was changed")
            }
        }
        result.signatures = Self.signatures(in: pdf, after: signedLength)
        return result
    }

    package var allowed: Bool { disallowed.isEmpty && signatures.allSatisfy(\.intact) }

    /// `before` and `after` hold the same entries, but for `mayChange`.
    private mutating func check(_ before: String, _ after: String, mayChange: Set<String>, what: String) {
        guard let old = PDFLexer.entries(before), let new = PDFLexer.entries(after) else {
            disallowed.append("\(what) cannot be read")
            return
        }
        let keys = Set(old.keys).union(new.keys).subtracting(mayChange).sorted()
        let different = keys.filter { old[$0] != new[$0] }
        if !different.isEmpty {
            disallowed.append("\(what) changed its \(different.map { "/\($0)" }.joined(separator: ", "))")
        }
    }

    /// The form may gain signature fields, and keep every field it had.
    private mutating func checkForm(before: String, after: String, full: PDFIndex, added: Set<Int>) {
        let old = Set(Self.references("Fields", in: before)), new = Self.references("Fields", in: after)
        if !old.isSubset(of: Set(new)) { disallowed.append("a form field was removed") }
        for field in new where !old.contains(field) { checkSignatureField(field, full: full, added: added) }
    }

    /// A field or widget added after signing must be new and a signature's.
    private mutating func checkSignatureField(_ number: Int, full: PDFIndex, added: Set<Int>) {
        guard added.contains(number), let text = try? full.object(number) else {
            disallowed.append("object \(number) was added to a page or the form without being new")
            return
        }
        if PDFDictionary.name("FT", in: text) != "Sig" {
            disallowed.append("object \(number) added after signing is not a signature field")
        }
    }

    /// The array of references under `key`: `/Annots [12 0 R 13 0 R]`.
    static func references(_ key: String, in text: String) -> [Int] {
        guard let value = PDFDictionary.value(key, in: text), value.first == "[" else { return [] }
        let body = value.dropFirst().prefix { $0 != "]" }
        let parts = body.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
        var numbers: [Int] = []
        var index = 0
        while index + 2 < parts.count {
            if parts[index + 2] == "R", let number = Int(parts[index]), Int(parts[index + 1]) != nil {
                numbers.append(number)
                index += 3
            } else {
                index += 1
            }
        }
        return numbers
    }

    /// Every signature whose byte range ends after `signedLength`, checked against its own digest.
    private static func signatures(in pdf: [UInt8], after signedLength: Int) -> [(signer: String, intact: Bool)] {
        SignatureVerifier.signatureDictionaries(in: pdf).compactMap { dictionary in
            let range = dictionary.byteRange
            guard range.count == 4, range[2] + range[3] > signedLength else { return nil }
            guard range[0] == 0, range[1] > 0, range[2] > range[1], range[3] >= 0, range[2] + range[3] <= pdf.count,
                  pdf[range[1]] == UInt8(ascii: "<"), pdf[range[2] - 1] == UInt8(ascii: ">"),
                  let der = SignatureVerifier.hexBytes(Array(pdf[(range[1] + 1)..<(range[2] - 1)])),
                  let cms = try? CMSSignedDataReader(der) else {
                return ("an unreadable signature", false)
            }
            var hash = SHA256()
            hash.update(data: pdf[0..<range[1]])
            hash.update(data: pdf[range[2]..<(range[2] + range[3])])
            let signer = cms.signerCertificate?.subject.description ?? "an unnamed signer"
            return (signer, cms.messageDigest == Array(hash.finalize()))
        }
    }
}
