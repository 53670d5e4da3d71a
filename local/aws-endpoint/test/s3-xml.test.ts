/**
 * The S3 XML documents on their own: parsing the request documents the SDK sends (and refusing DTDs and
 * broken ones), and rendering answers.
 */
import { describe, expect, it } from 'vitest';
import { childElements, childText, parseXml, renderDocument } from '#endpoint/s3/xml';

describe('the S3 request XML parser', () => {
  it('reads the documents the SDK sends, with namespaces, entities and CDATA', () => {
    const document = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload ' +
        'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Part><ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber></Part>' +
        '<Part><ETag><![CDATA["d<e>f"]]></ETag><PartNumber>2</PartNumber></Part>' +
        '<!-- a comment --><x:Note a="1>2">caf&#233; &amp; &#x1F600;</x:Note></CompleteMultipartUpload>',
    );
    expect(document.name).toBe('CompleteMultipartUpload');
    expect(childElements(document, 'Part').map((part) => childText(part, 'ETag'))).toEqual(['"abc"', '"d<e>f"']);
    expect(childText(document, 'Note')).toBe('café & 😀');
  });

  it('refuses DTDs, broken nesting, stray text, unknown entities and a second root', () => {
    for (const text of [
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      '<!DOCTYPE x [<!ENTITY e "internal">]><x>&e;</x>',
      '<!DOCTYPE x><x>no entities</x>',
      '<a>&#x110000;</a>',
      '<a><b></a></b>',
      '<a></a><b></b>',
      'text<a></a>',
      '<a>&unknown;</a>',
      '<a>AT&T</a>',
      '<a x="unterminated></a>',
      '<a>',
      '',
    ]) {
      expect(() => parseXml(text), text).toThrowError(
        expect.objectContaining({ code: 'MalformedXML', statusCode: 400 }),
      );
    }
  });

  it('renders answers with flattened lists and escaped text', () => {
    expect(renderDocument('R', { Key: ['a&b', '<c>'], Empty: undefined, Nested: { N: 1 } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Key>a&amp;b</Key><Key>&lt;c&gt;</Key><Nested><N>1</N></Nested></R>',
    );
  });
});
