/** S3 naming rules live with the one bucket-name helper (src/conventions/naming.ts). */
export { isValidBucketName } from "../conventions/naming";
