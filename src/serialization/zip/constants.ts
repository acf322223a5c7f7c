/**
 * Zip record signatures, sizes and flags.
 * Reference: PKWARE APPNOTE.TXT 6.3.10 (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT),
 * sections 4.3.7 (local header), 4.3.9 (data descriptor), 4.3.12 (central directory header),
 * 4.3.14-4.3.16 (zip64 end records and end of central directory), 4.5.3 (zip64 extra field).
 */

/** Signature of a local file header, "PK\x03\x04". */
export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
/** Signature of a data descriptor, "PK\x07\x08". */
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
/** Signature of a central directory file header, "PK\x01\x02". */
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
/** Signature of the zip64 end of central directory record, "PK\x06\x06". */
export const ZIP64_END_SIGNATURE = 0x06064b50;
/** Signature of the zip64 end of central directory locator, "PK\x06\x07". */
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
/** Signature of the end of central directory record, "PK\x05\x06". */
export const END_SIGNATURE = 0x06054b50;

/** Fixed part of a local file header. */
export const LOCAL_HEADER_SIZE = 30;
/** Fixed part of a central directory header. */
export const CENTRAL_HEADER_SIZE = 46;
/** End of central directory record without comment. */
export const END_SIZE = 22;
/** Zip64 end of central directory record (version 1, no extensible data). */
export const ZIP64_END_SIZE = 56;
/** Zip64 end of central directory locator. */
export const ZIP64_LOCATOR_SIZE = 20;
/** Longest archive comment. */
export const MAX_COMMENT = 0xffff;

/** General purpose flag: encrypted. */
export const FLAG_ENCRYPTED = 0x0001;
/** General purpose flag: sizes and CRC follow the data in a data descriptor. */
export const FLAG_DATA_DESCRIPTOR = 0x0008;
/** General purpose flag: the name is UTF-8. */
export const FLAG_UTF8 = 0x0800;

/** Compression method: stored (no compression). */
export const METHOD_STORED = 0;
/** Compression method: deflate. */
export const METHOD_DEFLATE = 8;

/** Extra field id of the zip64 extended information. */
export const ZIP64_EXTRA_ID = 0x0001;
/** Extra field id of PyTorch's alignment padding: bytes "FB". */
export const PADDING_EXTRA_ID = 0x4246;
/** A 32-bit field that means "see the zip64 record". */
export const ZIP64_MARKER_32 = 0xffffffff;
/** A 16-bit entry count that means "see the zip64 record". */
export const ZIP64_MARKER_16 = 0xffff;
