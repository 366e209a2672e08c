/** The AWS types of the account's detective controls. */
export const GUARDDUTY_DETECTOR = "aws:guardduty/detector:Detector";
export const GUARDDUTY_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature";
export const SECURITY_HUB_ACCOUNT = "aws:securityhub/account:Account";
export const SECURITY_HUB_STANDARD = "aws:securityhub/standardsSubscription:StandardsSubscription";
export const CONFIG_RECORDER = "aws:cfg/recorder:Recorder";
export const CONFIG_RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus";
export const CONFIG_DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel";
export const ACCESS_ANALYZER = "aws:accessanalyzer/analyzer:Analyzer";
export const CLOUDTRAIL = "aws:cloudtrail/trail:Trail";
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const SNS_TOPIC = "aws:sns/topic:Topic";
export const S3_BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const SUBNET_TYPES = ["aws:ec2/subnet:Subnet"];
