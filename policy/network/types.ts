/** The AWS network types the network rules read. */
export const VPC_TYPES = ["aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc"];
export const SUBNET_TYPES = ["aws:ec2/subnet:Subnet", "aws:ec2/defaultSubnet:DefaultSubnet"];
export const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
export const DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable";
export const ROUTE_TABLE_TYPES = [ROUTE_TABLE, DEFAULT_ROUTE_TABLE];
export const ROUTE = "aws:ec2/route:Route";
export const ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
export const MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation";
export const INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway";
export const EGRESS_ONLY_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway";
export const NAT_GATEWAY = "aws:ec2/natGateway:NatGateway";
export const VPN_GATEWAY = "aws:ec2/vpnGateway:VpnGateway";
export const PEERING_CONNECTION = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection";
export const TRANSIT_GATEWAY = "aws:ec2transitgateway/transitGateway:TransitGateway";
export const NETWORK_INTERFACE = "aws:ec2/networkInterface:NetworkInterface";
export const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
export const VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION = "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation";
export const NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl";
export const DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl";
export const NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule";
export const NETWORK_ACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation";
export const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
export const EKS_CLUSTER = "aws:eks/cluster:Cluster";

/** Where a route sends traffic. */
export type RouteTargetKind =
  | "local"
  | "internet gateway"
  | "NAT gateway"
  | "egress-only internet gateway"
  | "VPC peering connection"
  | "transit gateway"
  | "network interface"
  | "VPC endpoint"
  | "virtual private gateway"
  | "carrier gateway"
  | "core network"
  | "local gateway"
  | "unidentified gateway";

/** Targets that take traffic out of the VPC towards networks the design does not trust (NET-01). */
export const LEAVING_KINDS: ReadonlySet<RouteTargetKind> = new Set<RouteTargetKind>([
  "internet gateway",
  "NAT gateway",
  "egress-only internet gateway",
  "VPC peering connection",
  "transit gateway",
  "carrier gateway",
  "core network",
  "unidentified gateway",
]);
