/**
 * CloudTrail event selection (LOG-01). Advanced selectors replace the basic ones, so management
 * events are selected explicitly; S3 data events cover the log buckets (who read or deleted logs)
 * and the backup buckets. The trail's own destination bucket is left out: data events on it would
 * log CloudTrail's own deliveries, which then log themselves (AWS warns against that loop).
 */
export interface FieldSelector {
  readonly field: string;
  readonly equals?: string[];
  readonly startsWith?: string[];
}

export interface AdvancedEventSelector {
  readonly name: string;
  readonly fieldSelectors: FieldSelector[];
}

export function trailEventSelectors(dataEventBucketArns: readonly string[]): AdvancedEventSelector[] {
  const selectors: AdvancedEventSelector[] = [
    { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
  ];
  const arns = [...new Set(dataEventBucketArns)].sort();
  if (arns.length > 0) {
    selectors.push({
      name: "S3 data events of log and backup buckets",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
        // The trailing slash keeps a bucket from matching another whose name it prefixes.
        { field: "resources.ARN", startsWith: arns.map((arn) => `${arn}/`) },
      ],
    });
  }
  return selectors;
}
