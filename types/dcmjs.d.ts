// dcmjs ships no type declarations; the synthetic DICOM factory uses its data module untyped.
declare module 'dcmjs'
