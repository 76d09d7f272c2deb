export {
  isSealedValue,
  openText,
  openValue,
  sealValue,
  newDataKey,
  type SealedValue,
} from './fieldCipher';
export { KeyStore, SubjectErasedError } from './keyStore';
export { bindKeyStore, KeyStoreMismatchError, KEY_STORE_BINDING_STREAM } from './keyStoreBinding';
export {
  forEachFieldSlot,
  type PersonalDataPolicy,
  type ProtectedField,
} from './personalDataPolicy';
export {
  ProtectedEventStore,
  protectEventStore,
  type ProtectedEventStoreOptions,
} from './protectedEventStore';
export { streamKeyOf } from './streamKey';
export {
  commsMessageSubject,
  commsOperationSubject,
  ERASED_PLACEHOLDERS,
  missiveErasures,
  missivePersonalData,
  protectedPathsOf,
  protectMissiveEventStore,
} from './missivePolicy';
