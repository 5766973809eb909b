//! Kyso's OOXML layer: package signatures for DOCX, XLSX and PPTX as Office
//! 2010 and later write them (ECMA-376 Part 2 §12-13, W3C XML-DSig 1.1,
//! ETSI XAdES 1.3.2), verified with the same trust engine and report
//! vocabulary as PDF. The XML reader and Canonical XML are our own.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod c14n;
pub mod xml;
